import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countMessages,
  expectButton,
  expectMessage,
  matchPair,
  onboard,
  openProposals,
} from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

const count = z.object({ n: z.number() });

/** /block, /report with the suspension threshold, and the rate limits, through the real bot. */
describe('e2e: safety', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      REPORT_SUSPEND_THRESHOLD: '2',
      COMMAND_RATE_LIMIT_PER_MINUTE: '25',
      FIND_RATE_LIMIT_PER_MINUTE: '3',
    });
  });
  after(() => t?.stop());

  const userId = (tgId: number) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${tgId}`);

  it('/block during a chat ends it, and the pair is never proposed again', async () => {
    const { db } = t.app.deps;
    const alice = await onboard(t.emulator, { firstName: 'Alice', topics: [14, 15] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [14, 15] });
    await matchPair(alice, bob);
    // The cards of the proposal that opened the chat keep their buttons (a toast answers them).
    const cards = new Set([alice, bob].flatMap((u) => openProposals(u).map((m) => m.message_id)));
    const fresh = (u: EmulatedUser) => openProposals(u).filter((m) => !cards.has(m.message_id));
    await alice.sendCommand('block');
    await expectMessage(alice, /Собеседник заблокирован/, 10_000);
    await expectMessage(bob, /Чат закончен\./, 10_000);
    const blocks = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM blocks
      WHERE user_id = ${await userId(alice.id)} AND blocked_id = ${await userId(bob.id)}`);
    assert.equal(blocks, 1);
    // Both search again and wait side by side in the pool, never proposed to each other.
    await alice.sendCommand('find');
    await bob.sendCommand('find');
    await eventually(async () => {
      const n = await db.oneFirst(sql.type(count)`SELECT count(*)::int AS n FROM waiting_pool`);
      return n === 2;
    }, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.deepEqual(fresh(alice), [], 'no new proposal');
    assert.deepEqual(fresh(bob), [], 'no new proposal');
    await alice.sendCommand('cancel');
    await bob.sendCommand('cancel');
    await expectMessage(bob, /Поиск остановлен/);
  });

  it('/block after a chat blocks the last partner', async () => {
    const carol = await onboard(t.emulator, { firstName: 'Carol', topics: [21, 22] });
    const dave = await onboard(t.emulator, { firstName: 'Dave', topics: [21, 22] });
    await matchPair(carol, dave);
    await carol.sendCommand('end');
    await expectMessage(dave, /Собеседник закончил чат/, 10_000);
    await dave.sendCommand('block');
    await expectMessage(dave, /Собеседник заблокирован/, 10_000);
    const blocks = await t.app.deps.db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM blocks WHERE user_id = ${await userId(dave.id)}
        AND blocked_id = ${await userId(carol.id)}`);
    assert.equal(blocks, 1);
    const fresh = await onboard(t.emulator, { firstName: 'Nobody', topics: [30, 31] });
    await fresh.sendCommand('block');
    await expectMessage(fresh, /Некого блокировать/);
  });

  it('/report stores the reason, ends the chat, blocks the pair, and suspends at the threshold', async () => {
    const { db } = t.app.deps;
    const mallory = await onboard(t.emulator, { firstName: 'Mallory', topics: [16, 17, 18] });
    const eve = await onboard(t.emulator, { firstName: 'Eve', topics: [16, 17] });
    await matchPair(mallory, eve);
    await eve.sendCommand('report', 'спам и оскорбления');
    await expectMessage(eve, /Жалоба принята/, 10_000);
    await expectMessage(mallory, /Чат закончен\./, 10_000);
    const report = await db.one(sql.type(z.object({ reason: z.string(), blocked: z.boolean() }))`
      SELECT r.reason, EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = r.reporter_id
                               AND b.blocked_id = r.reported_id) AS blocked
      FROM reports r WHERE r.reported_id = ${await userId(mallory.id)}`);
    assert.deepEqual(report, { reason: 'спам и оскорбления', blocked: true });

    // A second reporter, asked for the reason in a follow-up message, reaches the threshold.
    const frank = await onboard(t.emulator, { firstName: 'Frank', topics: [17, 18] });
    await matchPair(mallory, frank);
    await frank.sendCommand('report');
    await expectMessage(frank, /Опишите, что случилось/);
    await frank.sendText('угрозы');
    await expectMessage(frank, /Жалоба принята/, 10_000);
    assert.equal(
      mallory.messages().some((m) => m.text === 'угрозы'),
      false,
      'the reason is not relayed',
    );
    const suspended = await db.oneFirst(sql.type(z.object({ s: z.boolean() }))`
      SELECT suspended_at IS NOT NULL AS s FROM users WHERE tg_id = ${mallory.id}`);
    assert.equal(suspended, true);
    await mallory.sendCommand('find');
    await expectMessage(mallory, /Поиск для вас приостановлен/);
    const searches = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM searches s JOIN users u ON u.id = s.user_id
      WHERE u.tg_id = ${mallory.id} AND s.state IN ('queued', 'waiting', 'proposed')`);
    assert.equal(searches, 0);
  });

  it('limits /find and commands per user per minute', async () => {
    const gus = await onboard(t.emulator, { firstName: 'Gus', topics: [23, 24] });
    for (let i = 0; i < 3; i += 1) await gus.sendCommand('find');
    await eventually(() => countMessages(gus, /Ищу вам|Я уже ищу/) === 3, 10_000);
    await gus.sendCommand('find');
    await expectMessage(gus, /Слишком часто/);
    assert.equal(countMessages(gus, /Ищу вам|Я уже ищу/), 3);
    await gus.sendCommand('cancel');
    await expectMessage(gus, /Поиск остановлен/);
    // The profile card's buttons stay (a menu), unlike an answered question's.
    await gus.sendCommand('profile');
    const card = await expectButton(gus, /^profile:tz$/);
    // Onboarding (6 actions) + 4 finds + cancel + profile = 12 so far; the limit is 25 a minute.
    for (let i = 0; i < 13; i += 1) await gus.sendCommand('help');
    await eventually(() => countMessages(gus, /^Команды:/) === 13, 10_000);
    await gus.sendCommand('help');
    await eventually(() => countMessages(gus, /Слишком часто/) === 2, 10_000);
    assert.equal(countMessages(gus, /^Команды:/), 13);
    // A button pressed over the limit is answered (no endless spinner) and does nothing.
    const query = await gus.pressButton(card.message_id, 'profile:tz');
    const answer = await gus.waitForCallbackAnswer(query, 10_000);
    assert.match(answer.text ?? '', /Слишком часто/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(countMessages(gus, /^Ваш часовой пояс\?/), 0, 'no zone question was asked');
  });
});

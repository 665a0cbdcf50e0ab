import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countMessages,
  expectMessage,
  expectProposal,
  onboard,
  openProposals,
} from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

const openSearches = z.object({ n: z.number() });

/** Searches of this Telegram user that are queued or in the waiting pool. */
const openSearchCount = (t: TestApp, tgId: number) =>
  t.app.deps.db.oneFirst(sql.type(openSearches)`
    SELECT count(*)::int AS n FROM searches s JOIN users u ON u.id = s.user_id
    WHERE u.tg_id = ${tgId} AND s.state IN ('queued', 'waiting')`);

/**
 * Proposals through the real bot: decline with cooldown, a double tap, the first acceptor's
 * message showing the outcome, and expiry with a short TTL. Each test uses its own topics so
 * its users only ever match each other.
 */
describe('e2e: proposals', function () {
  this.timeout(90_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const searching = (tgId: number) => openSearchCount(t, tgId);

  it('a decline cools the pair down, tells both and keeps both searching', async () => {
    const { db } = t.app.deps;
    const alice = await onboard(t.emulator, { firstName: 'Alice', topics: [5, 6] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [5, 6, 7] });
    await alice.sendCommand('find');
    await bob.sendCommand('find');
    const pa = await expectProposal(alice);
    const pb = await expectProposal(bob);
    assert.equal(pa.matchId, pb.matchId);
    // Why this match: name, shared topics, shared waking hours.
    assert.match(pa.message.text ?? '', /Bob[\s\S]*Путешествия, Кулинария[\s\S]*\d\d:00–\d\d:00/);

    const query = await alice.pressButton(pa.message.message_id, `match:decline:${pa.matchId}`);
    // The one who skipped is told by the button's answer; only the other's card is edited,
    // once, and still says whom it was for.
    assert.equal(
      (await alice.waitForCallbackAnswer(query, 10_000)).text,
      'Ок, пропускаем. Продолжаю поиск.',
    );
    const closed = await bob.waitForBotMessage(
      (m) =>
        m.message_id === pb.message.message_id &&
        /^Нашёлся собеседник: Alice\.[\s\S]*\d\d:00\.\n\nСобеседник пропустил предложение/.test(
          m.text ?? '',
        ),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    assert.deepEqual(bob.inlineButtons(closed), []);

    const cooldown = await db.any(sql.type(z.object({ hours: z.number() }))`
      SELECT extract(epoch FROM until - now())::float8 / 3600 AS hours FROM recent_contacts rc
      JOIN users a ON a.id = rc.user_id JOIN users b ON b.id = rc.other_id
      WHERE a.tg_id IN (${alice.id}, ${bob.id}) AND b.tg_id IN (${alice.id}, ${bob.id})`);
    assert.equal(cooldown.length, 2, 'a cooldown in each direction');
    for (const row of cooldown) assert.ok(row.hours > 71 && row.hours <= 72);

    await eventually(async () => (await searching(alice.id)) === 1, 10_000, 'alice searching');
    await eventually(async () => (await searching(bob.id)) === 1, 10_000, 'bob searching');
    await alice.sendCommand('find');
    await expectMessage(alice, /Я уже ищу вам собеседника/);
    // The cooled-down pair is not proposed again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.deepEqual(
      openProposals(alice).filter((m) => m.message_id !== pa.message.message_id),
      [],
      'no second proposal',
    );
    await alice.sendCommand('cancel');
    await expectMessage(alice, /Поиск остановлен/);
    await bob.sendCommand('cancel');
    await expectMessage(bob, /Поиск остановлен/);
  });

  it('a double tap on "Accept" is harmless and the first acceptor sees the match', async () => {
    const carol = await onboard(t.emulator, { firstName: 'Carol', topics: [8, 9] });
    const dave = await onboard(t.emulator, { firstName: 'Dave', topics: [8, 9] });
    await carol.sendCommand('find');
    await dave.sendCommand('find');
    const pc = await expectProposal(carol);
    const pd = await expectProposal(dave);
    const data = `match:accept:${pc.matchId}`;
    assert.equal(pc.matchId, pd.matchId);
    const q1 = await carol.pressButton(pc.message.message_id, data);
    const q2 = await carol.pressButton(pc.message.message_id, data);
    for (const q of [q1, q2]) {
      assert.equal(
        (await carol.waitForCallbackAnswer(q, 10_000)).text,
        'Вы согласились. Ждём ответа собеседника…',
      );
    }
    const q3 = await dave.pressButton(pd.message.message_id, `match:accept:${pd.matchId}`);
    assert.equal((await dave.waitForCallbackAnswer(q3, 10_000)).text, 'Совпадение! Чат открыт.');
    await expectMessage(dave, /Чат открыт! Ваш собеседник — Carol/, 10_000);
    // The first to accept learns of the match from the chat's opening message.
    await expectMessage(carol, /Чат открыт! Ваш собеседник — Dave/, 10_000);
    assert.equal(countMessages(carol, /Чат открыт/), 1, 'one intro despite the double tap');
    // The rules: once at onboarding, once more in the chat's opening message.
    assert.equal(countMessages(carol, /Правила tete/), 2, 'the chat rules');
    // In a chat: a new search is refused, with the reason.
    await carol.sendCommand('find');
    await expectMessage(carol, /Вы сейчас в чате/);
    await carol.sendCommand('end');
    await expectMessage(dave, /Собеседник закончил чат/, 10_000);
  });
});

describe('e2e: proposal expiry (PROPOSAL_TTL_SECONDS=2)', function () {
  this.timeout(90_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ PROPOSAL_TTL_SECONDS: '2' });
  });
  after(() => t?.stop());

  const searching = (tgId: number) => openSearchCount(t, tgId);

  it('an unanswered proposal expires after PROPOSAL_TTL_SECONDS and both are told', async () => {
    const erin = await onboard(t.emulator, { firstName: 'Erin', topics: [10, 11] });
    const frank = await onboard(t.emulator, { firstName: 'Frank', topics: [10, 11] });
    await erin.sendCommand('find');
    await frank.sendCommand('find');
    const pe = await expectProposal(erin);
    const pf = await expectProposal(frank);
    // Erin accepts, Frank never answers: Erin keeps her place, Frank's search ends.
    await erin.pressButton(pe.message.message_id, `match:accept:${pe.matchId}`);
    // One edit of each card says it expired and what happens to the search.
    for (const [user, id, outcome] of [
      [erin, pe.message.message_id, /собеседник не ответил вовремя\. Ищу дальше/],
      [frank, pf.message.message_id, /вы не ответили, поэтому я остановил поиск/],
    ] as const) {
      const edited = await eventually(
        () =>
          user
            .messages()
            .find(
              (m) =>
                m.message_id === id &&
                /^Нашёлся собеседник/.test(m.text ?? '') &&
                /\n\nПредложение истекло/.test(m.text ?? '') &&
                outcome.test(m.text ?? ''),
            ),
        15_000,
        'the proposal marked expired',
      );
      assert.deepEqual(user.inlineButtons(edited), []);
    }
    const status = await t.app.deps.db.oneFirst(sql.type(z.object({ status: z.string() }))`
      SELECT status FROM matches WHERE id = ${pe.matchId}`);
    assert.equal(status, 'expired');
    await eventually(async () => (await searching(erin.id)) === 1, 10_000, 'erin requeued');
    assert.equal(await searching(frank.id), 0);
    await erin.sendCommand('cancel');
    await expectMessage(erin, /Поиск остановлен/);
  });
});

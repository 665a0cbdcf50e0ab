import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectMessage, expectProposal, onboard } from '../helpers/telegram-users.js';
import { ru } from '../../src/bot/i18n/ru.js';

const HOLD_MS = 1500; // SKIP_NOTICE_HOLD_MS's default

/** The message as the user sees it now (edits applied). */
const current = (user: EmulatedUser, message: Message): Message =>
  user.botMessages().find((m) => m.message_id === message.message_id)!;

/**
 * When someone skips, the other person's card is closed with "skipped" only if their search
 * finds nobody new within SKIP_NOTICE_HOLD_MS; otherwise the new card says it, and the old
 * one is left as it was: one Bot API call fewer, the same news.
 */
describe('e2e: the partner-skipped notice', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  it('a new proposal within the moment says the previous person skipped; the old card stays', async () => {
    const alice = await onboard(t.emulator, { firstName: 'Alice', topics: [1, 2] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [1, 2, 3] });
    // Shares only one topic with Alice, two with Bob: waits for Bob.
    const carol = await onboard(t.emulator, { firstName: 'Carol', topics: [2, 3] });
    await alice.sendCommand('find');
    await bob.sendCommand('find');
    const pa = await expectProposal(alice);
    const pb = await expectProposal(bob);
    assert.equal(pa.matchId, pb.matchId);
    await carol.sendCommand('find');
    await expectMessage(carol, /Ищу вам собеседника/, 10_000);

    await alice.pressButton(pa.message.message_id, `match:decline:${pa.matchId}`);
    const next = await expectProposal(bob);
    const nc = await expectProposal(carol);
    assert.equal(next.matchId, nc.matchId);
    assert.ok(
      (next.message.text ?? '').startsWith(`${ru.previousSkipped}\n\nНашёлся собеседник: Carol.`),
      next.message.text,
    );
    assert.ok((nc.message.text ?? '').startsWith('Нашёлся собеседник: Bob.'), nc.message.text);

    // Past the moment (and then some): the old card was never edited, and its buttons say it
    // is closed.
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS + 1_000));
    const old = current(bob, pb.message);
    assert.equal(old.text, pb.message.text);
    assert.equal(old.edit_date, undefined, 'the old card was not edited');
    const query = await bob.pressButton(pb.message.message_id, `match:accept:${pb.matchId}`);
    assert.equal((await bob.waitForCallbackAnswer(query, 10_000)).text, ru.proposalClosed);
    assert.equal(current(bob, next.message).edit_date, undefined, 'the new card stays open');
  });

  it('with nobody new within the moment, the card is closed with "skipped" after it', async () => {
    const dave = await onboard(t.emulator, { firstName: 'Dave', topics: [7, 8] });
    const erin = await onboard(t.emulator, { firstName: 'Erin', topics: [7, 8] });
    await dave.sendCommand('find');
    await erin.sendCommand('find');
    const pd = await expectProposal(dave);
    const pe = await expectProposal(erin);
    const skippedAt = Date.now();
    await dave.pressButton(pd.message.message_id, `match:decline:${pd.matchId}`);
    const closed = await erin.waitForBotMessage(
      (m) =>
        m.message_id === pe.message.message_id &&
        (m.text ?? '').endsWith(`\n\n${ru.partnerSkipped}`),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    assert.ok(Date.now() - skippedAt >= HOLD_MS, 'not before the moment is over');
    assert.deepEqual(erin.inlineButtons(closed), []);
    assert.match(closed.text ?? '', /^Нашёлся собеседник: Dave\./);
    await erin.sendCommand('cancel');
    await expectMessage(erin, /Поиск остановлен/);
  });
});

describe('e2e: the partner-skipped notice with SKIP_NOTICE_HOLD_MS=0', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ SKIP_NOTICE_HOLD_MS: '0' });
  });
  after(() => t?.stop());

  it('closes the card at once, and settles it so that the next card says nothing more', async () => {
    const frank = await onboard(t.emulator, { firstName: 'Frank', topics: [9, 10] });
    const gina = await onboard(t.emulator, { firstName: 'Gina', topics: [9, 10] });
    await frank.sendCommand('find');
    await gina.sendCommand('find');
    const pf = await expectProposal(frank);
    const pg = await expectProposal(gina);
    await frank.pressButton(pf.message.message_id, `match:decline:${pf.matchId}`);
    await gina.waitForBotMessage(
      (m) =>
        m.message_id === pg.message.message_id &&
        (m.text ?? '').endsWith(`\n\n${ru.partnerSkipped}`),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    const notice = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.string().nullable() }))`
      SELECT skip_notice AS n FROM matches WHERE id = ${pg.matchId}`);
    assert.equal(notice, 'edit');
    await gina.sendCommand('cancel');
    await expectMessage(gina, /Поиск остановлен/);
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';
import {
  againData,
  edited,
  newestWithButton,
  press,
  userIdOf,
  zoneAtLocalHour,
} from '../helpers/again-steps.js';

/**
 * Chat again through the real bot, in English: "I'd chat again" on the rating message, the
 * pair saved only when both say so, /again and a direct proposal (past the pair's cooldown)
 * declined, expiring, withdrawn and accepted, removal, and a block that ends it. Both live in
 * a zone where it is midday now, so nothing is held for the night (bot-again-night covers it).
 */

describe('e2e: chat again (English)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let alice: EmulatedUser;
  let bob: EmulatedUser;
  let aliceId: number;
  let bobId: number;
  let chatMatch: number;

  before(async () => {
    t = await startTestApp({ STANDING_PROPOSAL_TTL_SECONDS: '4' });
    const timeZone = zoneAtLocalHour(13).zone;
    alice = await onboard(t.emulator, {
      firstName: 'Alice',
      languageCode: 'en',
      topics: [1, 2],
      timeZone,
    });
    bob = await onboard(t.emulator, {
      firstName: 'Bob',
      languageCode: 'en',
      topics: [1, 2],
      timeZone,
    });
    aliceId = await userIdOf(t, alice.id);
    bobId = await userIdOf(t, bob.id);
    chatMatch = await matchPair(alice, bob);
    await alice.sendCommand('end');
  });
  after(() => t?.stop());

  /** Alice invites Bob from /again; resolves with both cards. */
  async function invite(from: EmulatedUser, toId: number) {
    const to = from === alice ? bob : alice;
    // Message ids count per chat.
    const since = new Map([from, to].map((u) => [u, lastId(u)]));
    await from.sendCommand('again');
    const list = await newestWithButton(from, new RegExp(`^again:invite:${toId}$`));
    await press(from, list, againData('invite', toId));
    await expectMessage(from, /^Invitation sent\.$/);
    const wait = (user: EmulatedUser, pattern: RegExp) =>
      user.waitForBotMessage((m) => m.message_id > since.get(user)! && pattern.test(m.text ?? ''), {
        timeoutMs: 10_000,
        since: 'beginning',
      });
    return {
      inviterCard: await wait(from, /^I invited \w+ to chat again/),
      card: await wait(to, /would like to talk with you again/),
    };
  }

  const lastId = (user: EmulatedUser) =>
    Math.max(0, ...user.botMessages().map((m) => m.message_id));

  it('/again is in /help and in the command menu, in English', async () => {
    await alice.sendCommand('help');
    await expectMessage(alice, /\n\/again: chat again with someone who would too$/m);
    const english = t.emulator
      .calls('setMyCommands')
      .find((call) => call.params.language_code === 'en');
    const commands = (english?.params.commands ?? []) as { command: string; description: string }[];
    assert.ok(commands.some((c) => c.command === 'again' && c.description === 'Chat again'));
  });

  it('saves the pair only when both press "I\'d chat again"', async () => {
    const aliceRating = await newestWithButton(alice, /^again:wish:/);
    assert.ok(
      alice.inlineButtons(aliceRating).some((b) => b.text === "🔁 I'd chat again with Bob"),
      'the button names the partner, beside the rating',
    );
    assert.equal(
      await press(alice, aliceRating, againData('wish', chatMatch)),
      'Noted. If Bob says so too, you can invite each other again: /again.',
    );
    await bob.sendCommand('again');
    await expectMessage(bob, /^Nobody here yet\. After a chat, press "I'd chat again"/);
    const bobRating = await newestWithButton(bob, /^again:wish:/);
    assert.equal(
      await press(bob, bobRating, againData('wish', chatMatch)),
      'Alice would chat again too! Invite them any time: /again.',
    );
    // The first to press learns it when the second does.
    await expectMessage(alice, /^Bob would chat with you again too: saved\. To invite: \/again\.$/);
  });

  it('a direct proposal skips matching and the cooldown; a skip tells the inviter', async () => {
    const cooled = await t.app.deps.db.exists(sql.unsafe`
      SELECT 1 FROM recent_contacts WHERE user_id = ${aliceId} AND other_id = ${bobId}
        AND until > now()`);
    assert.ok(cooled, 'the pair is in its cooldown after their chat');
    const { inviterCard, card } = await invite(alice, bobId);
    assert.match(
      card.text ?? '',
      /^Alice would like to talk with you again\.\nShared topics: .+\.\nStart a conversation\?$/,
    );
    assert.deepEqual(
      alice.inlineButtons(inviterCard).map((b) => b.text),
      ['Withdraw the invitation'],
    );
    const matchId = Number(/again:yes:(\d+)/.exec(JSON.stringify(card.reply_markup))![1]);
    assert.equal(
      await press(bob, card, againData('no', matchId)),
      'OK, I will tell them you cannot talk now.',
    );
    const closed = await edited(
      alice,
      inviterCard.message_id,
      /Bob cannot talk now\. Maybe another time: \/again\.$/,
    );
    assert.deepEqual(alice.inlineButtons(closed), []);
    // No search was started or requeued for either of them.
    const searches = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM searches WHERE state IN ('queued', 'waiting', 'proposed')`);
    assert.equal(searches, 0);
  });

  it('an unanswered direct proposal expires after the standing-proposal TTL', async () => {
    const { inviterCard, card } = await invite(alice, bobId);
    await edited(
      alice,
      inviterCard.message_id,
      /Bob did not answer in time\. You can invite them again later: \/again\.$/,
    );
    await edited(bob, card.message_id, /This invitation has expired\.$/);
  });

  it('the inviter can withdraw; then the partner invites back and the chat opens', async () => {
    const first = await invite(alice, bobId);
    const matchId = Number(
      /again:no:(\d+)/.exec(JSON.stringify(first.inviterCard.reply_markup))![1],
    );
    assert.equal(
      await press(alice, first.inviterCard, againData('no', matchId)),
      'The invitation was withdrawn.',
    );
    await edited(bob, first.card.message_id, /The invitation was withdrawn\.$/);

    const back = await invite(bob, aliceId);
    const backMatch = Number(/again:yes:(\d+)/.exec(JSON.stringify(back.card.reply_markup))![1]);
    assert.equal(
      await press(alice, back.card, againData('yes', backMatch)),
      'It is a match! The chat is open.',
    );
    await expectMessage(alice, /The chat is open! You are talking to Bob\./, 10_000);
    await expectMessage(bob, /The chat is open! You are talking to Alice\./, 10_000);
    await bob.sendText('hello again');
    await alice.waitForBotMessage((m) => m.text === 'hello again', { timeoutMs: 10_000 });
    await bob.sendCommand('end');
    await expectMessage(bob, /^You ended the chat\./, 10_000);
  });

  it('removing a partner takes them off both lists; a block ends a saved pair', async () => {
    await bob.sendCommand('again');
    const list = await newestWithButton(bob, new RegExp(`^again:remove:${aliceId}$`));
    assert.equal(await press(bob, list, againData('remove', aliceId)), 'Removed from your list.');
    await edited(bob, list.message_id, /^Nobody here yet/);
    await alice.sendCommand('again');
    await eventually(
      () => alice.botMessages().filter((m) => /^Nobody here yet/.test(m.text ?? '')).length === 1,
      10_000,
      'Alice’s list is empty too',
    );

    // Saved again from the rating message of their first chat, then Alice blocks Bob.
    const aliceRating = alice
      .botMessages()
      .find((m) =>
        alice
          .inlineButtons(m)
          .some((b) => 'callback_data' in b && b.callback_data === againData('wish', chatMatch)),
      )!;
    const bobRating = bob
      .botMessages()
      .find((m) =>
        bob
          .inlineButtons(m)
          .some((b) => 'callback_data' in b && b.callback_data === againData('wish', chatMatch)),
      )!;
    await press(alice, aliceRating, againData('wish', chatMatch));
    assert.match(await press(bob, bobRating, againData('wish', chatMatch)), /would chat again too/);
    await alice.sendCommand('block');
    await expectMessage(alice, /^Blocked/);
    await bob.sendCommand('again');
    await eventually(
      () => bob.botMessages().filter((m) => /^Nobody here yet/.test(m.text ?? '')).length === 2,
      10_000,
      'the block removed the pair',
    );
    assert.equal(
      await t.app.deps.services.again.invite(bobId, aliceId).then((o) => o.kind),
      'not_saved',
    );
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { callbackData, expectButton, expectMessage, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/**
 * The sprint document's e2e scenario (section 9), all five steps, against the real service
 * and a Bot API emulator over HTTP, then on through a relayed conversation, /end and a rating.
 */
describe('e2e: the sprint scenario', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  it('onboards two users, matches them, opens the chat, relays, ends and rates it', async () => {
    const { db, redis, keys } = t.app.deps;
    // 1. Two users with >= 2 shared topics.
    const alice = await onboard(t.emulator, { firstName: 'Alice', topics: [1, 2, 3] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [2, 3, 4] });

    // 2. Both send /find; an event appears in match.find.
    await alice.sendCommand('find');
    await expectMessage(alice, /Ищу вам собеседника… Это может занять до минуты\./);
    // Alice is waiting, so Bob's answer is the proposal itself (no "Looking for a partner…").
    await bob.sendCommand('find');
    const entries = await eventually(
      async () => {
        const all = await redis.xrange(keys.matchFind, '-', '+');
        return all.length >= 2 ? all : undefined;
      },
      10_000,
      'two entries in match.find',
    );
    assert.deepEqual(
      entries.map(([, fields]) => fields[fields.indexOf('user_id') + 1]).length,
      entries.length,
    );

    // 3. The consumer sends a proposal to both, with the shared topics.
    const proposalA = await expectButton(alice, /^match:accept:\d+$/);
    const proposalB = await expectButton(bob, /^match:accept:\d+$/);
    assert.match(proposalA.text ?? '', /Bob/);
    assert.match(proposalA.text ?? '', /Кино, Сериалы/);
    assert.match(proposalB.text ?? '', /Alice/);
    const acceptA = callbackData(alice, proposalA, /^match:accept:/);
    const matchId = Number(acceptA.split(':')[2]);
    assert.equal(callbackData(bob, proposalB, /^match:accept:/), acceptA);
    assert.equal(callbackData(alice, proposalA, /^match:decline:/), `match:decline:${matchId}`);

    // 4. Both accept: matches.status = active and a chat_sessions row exists.
    const queryA = await alice.pressButton(proposalA.message_id, acceptA);
    assert.match((await alice.waitForCallbackAnswer(queryA, 10_000)).text ?? '', /Ждём ответа/);
    const queryB = await bob.pressButton(proposalB.message_id, acceptA);
    assert.equal((await bob.waitForCallbackAnswer(queryB, 10_000)).text, 'Совпадение! Чат открыт.');
    const status = await db.oneFirst(
      sql.type(z.object({ status: z.string() }))`SELECT status FROM matches WHERE id = ${matchId}`,
    );
    assert.equal(status, 'active');
    const sessions = await db.oneFirst(
      sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM chat_sessions WHERE match_id = ${matchId} AND ended_at IS NULL`,
    );
    assert.equal(sessions, 1);

    // 5. The bot sent the intro and the rules to both, in one message.
    for (const [user, partner] of [
      [alice, 'Bob'],
      [bob, 'Alice'],
    ] as const) {
      await expectMessage(
        user,
        new RegExp(`Чат открыт! Ваш собеседник — ${partner}[\\s\\S]*Правила tete:`),
      );
    }

    // One relayed message each way, without a "forwarded from" header.
    await alice.sendText('Привет! Что смотришь сейчас?');
    const atBob = await expectMessage(bob, /Что смотришь сейчас/);
    assert.equal(atBob.forward_origin, undefined);
    await bob.sendPhoto({ caption: 'Вот кадр' });
    const atAlice = await alice.waitForBotMessage((m) => m.photo !== undefined, {
      timeoutMs: 5_000,
    });
    assert.equal(atAlice.caption, 'Вот кадр');
    assert.equal(atAlice.forward_origin, undefined);

    // /end ends it for both and asks each for a rating.
    await alice.sendCommand('end');
    await expectMessage(alice, /Вы закончили чат/);
    const ratingB = await expectButton(bob, /^rate:\d+:5$/);
    assert.match(ratingB.text ?? '', /^Собеседник закончил чат\.\nБыл ли разговор полезен/);
    const rated = await bob.pressButton(ratingB.message_id, `rate:${matchId}:5`);
    assert.match((await bob.waitForCallbackAnswer(rated, 10_000)).text ?? '', /Спасибо за оценку/);
    const feedback = await db.one(sql.type(
      z.object({ rating: z.number(), helpfulness: z.number() }),
    )`
      SELECT f.rating, u.helpfulness FROM feedback f JOIN users u ON u.id = f.rated_id
      WHERE f.match_id = ${matchId}`);
    assert.equal(feedback.rating, 5);
    assert.ok(feedback.helpfulness > 0.5, 'a 5 raises the partner’s helpfulness');
    const ended = await db.oneFirst(sql.type(z.object({ reason: z.string().nullable() }))`
      SELECT end_reason AS reason FROM chat_sessions WHERE match_id = ${matchId}`);
    assert.equal(ended, 'user');
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { loseKeys } from '../helpers/redis-loss.js';
import { expectProposal, onboard } from '../helpers/telegram-users.js';

const SWEEP_SECONDS = 2;
// Well below SEARCH_STUCK_SECONDS (120 s), the old, slow repair of lost searches.
const TTL_SECONDS = 60;
/** Pairs whose chat starts while every send fails, so their intros are queued when Redis goes. */
const CHAT_PAIRS = 5;
/** Pairs proposed to each other while every send fails: their cards are queued. */
const PROPOSED_PAIRS = 5;
/** Pairs whose searches are queued (no matcher running) when Redis goes. */
const SEARCHING_PAIRS = 3;
const INTRO = /Чат открыт/;

const id = z.object({ id: z.number() });
const state = z.object({ state: z.string() });
const count = z.object({ n: z.number() });

type Pair = [EmulatedUser, EmulatedUser];

/**
 * Redis loses every key of the service (the stream, the proposal records and timers, BullMQ's
 * queues with the outbound messages) in the middle of load: people searching, proposals open,
 * chats just started, and every send failing so that the outbound queue is full. PostgreSQL is
 * the record; within one sweep plus the proposal TTL everyone must be in a correct state and
 * have the messages they are owed, none twice.
 */
describe('repair after Redis loses every key under load', function () {
  this.timeout(300_000);
  let t: TestApp;
  let matcher: App | undefined;

  const startMatcher = async () => {
    matcher = await startApp({
      config: { ...t.config, ROLES: ['matcher'] },
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      botInfo: t.emulator.botInfo,
    });
  };

  before(async () => {
    // The matcher runs as its own process, so the test can hold it while searches queue up.
    t = await startTestApp({
      ROLES: 'api,bot,timers',
      SWEEP_INTERVAL_SECONDS: String(SWEEP_SECONDS),
      PROPOSAL_TTL_SECONDS: String(TTL_SECONDS),
    });
    await startMatcher();
  });
  after(async () => {
    await matcher?.stop();
    await t?.stop();
  });

  const userId = (user: EmulatedUser) =>
    t.app.deps.db.oneFirst(sql.type(id)`SELECT id FROM users WHERE tg_id = ${user.id}`);

  /** Onboards pairs of users; each pair shares two topics no other pair has. */
  async function pairs(n: number, firstTopic: number, name: string): Promise<Pair[]> {
    const made: Pair[] = [];
    for (let i = 0; i < n; i += 1) {
      const topics = [firstTopic + 2 * i, firstTopic + 2 * i + 1];
      const [a, b] = await Promise.all([
        onboard(t.emulator, { firstName: `${name}${i}a`, topics, timeoutMs: 15_000 }),
        onboard(t.emulator, { firstName: `${name}${i}b`, topics, timeoutMs: 15_000 }),
      ]);
      made.push([a, b]);
    }
    return made;
  }

  /** The open or chatting match of both users of the pair. */
  const matchOf = async ([a, b]: Pair, status: 'proposed' | 'active') =>
    t.app.deps.db.maybeOneFirst(sql.type(id)`
      SELECT m.id FROM matches m
      JOIN users ua ON ua.id = m.user_a JOIN users ub ON ub.id = m.user_b
      WHERE m.status = ${status}
        AND ((ua.tg_id = ${a.id} AND ub.tg_id = ${b.id}) OR (ua.tg_id = ${b.id} AND ub.tg_id = ${a.id}))`);

  /** Successful sends to the user's chat of a proposal card for `matchId`. */
  const cardsSent = (user: EmulatedUser, matchId: number) =>
    t.emulator.calls(
      (call) =>
        call.method === 'sendMessage' &&
        call.ok &&
        Number(call.params.chat_id) === user.id &&
        JSON.stringify(call.params.reply_markup ?? '').includes(`match:accept:${matchId}`),
    ).length;

  const introsSent = (user: EmulatedUser) =>
    t.emulator.calls(
      (call) =>
        call.method === 'sendMessage' &&
        call.ok &&
        Number(call.params.chat_id) === user.id &&
        typeof call.params.text === 'string' &&
        INTRO.test(call.params.text),
    ).length;

  it('re-queues searches, rebuilds proposals and re-sends what is owed, once', async () => {
    const { db, redis, keys } = t.app.deps;
    const chatting = await pairs(CHAT_PAIRS, 1, 'Chat');
    const proposed = await pairs(PROPOSED_PAIRS, 1 + 2 * CHAT_PAIRS, 'Prop');
    const searching = await pairs(SEARCHING_PAIRS, 1 + 2 * (CHAT_PAIRS + PROPOSED_PAIRS), 'Find');

    // Chats: proposed and delivered while Telegram works...
    const chatMatches: number[] = [];
    for (const [a, b] of chatting) {
      await a.sendCommand('find');
      await b.sendCommand('find');
      const [pa, pb] = await Promise.all([expectProposal(a, 15_000), expectProposal(b, 15_000)]);
      assert.equal(pa.matchId, pb.matchId);
      chatMatches.push(pa.matchId);
    }
    // ...then every send fails, so each message from here on waits in the outbound queue.
    const broken = { errorCode: 502, description: 'Bad Gateway' };
    t.emulator.failNext('sendMessage', broken, 1_000_000);
    t.emulator.failNext('editMessageText', broken, 1_000_000);
    for (const [index, [a, b]] of chatting.entries()) {
      const matchId = chatMatches[index]!;
      for (const user of [a, b]) {
        const card = user
          .botMessages()
          .find((m) => JSON.stringify(m.reply_markup ?? '').includes(`match:accept:${matchId}`))!;
        await user.pressButton(card.message_id, `match:accept:${matchId}`);
      }
    }
    for (const pair of chatting) {
      await eventually(() => matchOf(pair, 'active').then((m) => m !== null), 20_000, 'a chat');
    }
    // Proposals whose cards are queued.
    for (const [a, b] of proposed) {
      await a.sendCommand('find');
      await b.sendCommand('find');
    }
    const proposedMatches: number[] = [];
    for (const pair of proposed) {
      proposedMatches.push(
        await eventually(
          () => matchOf(pair, 'proposed').then((m) => m ?? false),
          20_000,
          'a proposal',
        ),
      );
    }
    // Searches queued on match.find while no matcher reads it.
    await matcher!.stop();
    matcher = undefined;
    for (const [a, b] of searching) {
      await a.sendCommand('find');
      await b.sendCommand('find');
    }
    const searchers = searching.flat();
    await eventually(
      async () => {
        const queued = await db.oneFirst(sql.type(count)`
        SELECT count(*)::int AS n FROM searches s JOIN users u ON u.id = s.user_id
        WHERE s.state = 'queued' AND u.tg_id = ANY(${sql.array(
          searchers.map((u) => u.id),
          'int8',
        )})`);
        return queued === searchers.length;
      },
      20_000,
      'the searches queued',
    );
    const queuedJobs = await t.app.deps.queues.outbound.getJobCounts('delayed', 'waiting');
    assert.ok((queuedJobs.delayed ?? 0) + (queuedJobs.waiting ?? 0) > 0, 'messages were queued');

    // Redis loses everything of this service at once (its prefix only; never FLUSHALL).
    const lostAt = Date.now();
    // (The running service may write new keys right after, as it would after a real loss.)
    assert.ok((await loseKeys(redis, `${keys.prefix}*`)) > 0);
    t.emulator.clearFaults();
    await startMatcher();

    const deadline = (SWEEP_SECONDS + TTL_SECONDS) * 1000;
    // Searchers: re-queued and taken by the matcher (each pair matches the other).
    await eventually(
      async () => {
        for (const user of searchers) {
          const search = await db.maybeOneFirst(sql.type(state)`
          SELECT s.state FROM searches s JOIN users u ON u.id = s.user_id
          WHERE u.tg_id = ${user.id} ORDER BY s.requested_at DESC LIMIT 1`);
          assert.ok(search && search !== 'queued', `user ${user.id}'s search is ${search}`);
        }
        return true;
      },
      deadline,
      'every queued search re-queued and taken',
    );
    const searchersDone = Date.now() - lostAt;
    // Proposed: each has the card of their open proposal.
    await eventually(
      () => {
        for (const [index, [a, b]] of proposed.entries()) {
          for (const user of [a, b]) {
            assert.ok(cardsSent(user, proposedMatches[index]!) >= 1, `no card for ${user.id}`);
          }
        }
        return true;
      },
      deadline,
      'every proposal card',
    );
    // Chatting: each has the intro of their chat, and the chat is still open.
    await eventually(
      () => {
        for (const user of chatting.flat())
          assert.ok(introsSent(user) >= 1, `no intro for ${user.id}`);
        return true;
      },
      deadline,
      'every chat intro',
    );
    const allDone = Date.now() - lostAt;
    console.log(
      `      searches taken after ${searchersDone} ms, every owed message sent after ${allDone} ms`,
    );
    for (const pair of chatting) assert.notEqual(await matchOf(pair, 'active'), null);

    // Nothing twice: one card per proposal and person, one intro per chat and person.
    for (const [index, [a, b]] of proposed.entries()) {
      for (const user of [a, b]) {
        assert.equal(cardsSent(user, proposedMatches[index]!), 1, `cards to ${user.id}`);
      }
    }
    for (const user of chatting.flat()) assert.equal(introsSent(user), 1, `intros to ${user.id}`);

    // Nobody is stuck busy, and nobody is in two matches.
    const everyone = [...chatting, ...proposed, ...searching].flat();
    for (const user of everyone) {
      const uid = await userId(user);
      const open = await db.oneFirst(sql.type(count)`
        SELECT count(*)::int AS n FROM matches
        WHERE (user_a = ${uid} OR user_b = ${uid}) AND status IN ('proposed', 'active')`);
      assert.ok(open <= 1, `user ${uid} is in ${open} matches`);
    }
    const stuck = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM searches s JOIN matches m ON m.id = s.match_id
      WHERE s.state = 'proposed' AND m.status <> 'proposed'`);
    assert.equal(stuck, 0, 'searches held by decided matches');
    const idleEngagements = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM engagements e JOIN matches m ON m.id = e.match_id
      WHERE m.status IN ('declined', 'expired')`);
    assert.equal(idleEngagements, 0, 'engaged in decided matches');

    // A repair when nothing was lost (only the marker went) sends nothing again.
    await redis.del(keys.lossMarker);
    await eventually(async () => (await redis.exists(keys.lossMarker)) === 1, deadline, 'a repair');
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_SECONDS * 1000));
    for (const [index, [a, b]] of proposed.entries()) {
      for (const user of [a, b]) assert.equal(cardsSent(user, proposedMatches[index]!), 1);
    }
    for (const user of chatting.flat()) assert.equal(introsSent(user), 1);

    // The chats still work: a message reaches the partner.
    const [ann, bob] = chatting[0]!;
    await ann.sendText('are you there?');
    await bob.waitForBotMessage((m) => m.text === 'are you there?', { timeoutMs: 15_000 });
  });
});

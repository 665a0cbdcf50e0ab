import { strict as assert } from 'node:assert';
import { Queue, type JobType } from 'bullmq';
import { sql } from 'slonik';
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from '../../src/redis/keys.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countingExecutor,
  createProposalRows,
  createRuntimeClient,
  realExecutor,
  type ProposalRow,
  type RuntimeClient,
} from './proposal-support.js';

const ROUNDS = 1_000;
const EXPIRY_ROUNDS = 200;
/** Rounds in flight at once; each round's two events still race each other. */
const PARALLEL = 8;

async function inPool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: size }, worker));
}

const perMatch = z.object({
  id: z.number(),
  status: z.string(),
  chats: z.number(),
  chat_engagements: z.number(),
  engagements: z.number(),
  matched_searches: z.number(),
});

/**
 * Two runtimes with their own Redis connections stand for two processes. Each round fires
 * two events at the same moment and checks that exactly one outcome and one set of effects
 * came out. The effects are the app's real ones (PostgreSQL, BullMQ, outbound queue); the
 * bot role is off, so messages are queued but not sent.
 */
describe('proposal runtime under concurrency', function () {
  this.timeout(300_000);
  let t: TestApp;
  let one: RuntimeClient;
  let two: RuntimeClient;

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
    const counter = countingExecutor(realExecutor(t.app));
    one = createRuntimeClient(t.app, counter);
    two = createRuntimeClient(t.app, counter);
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await t?.stop();
  });

  async function rowsOf(ids: readonly number[]) {
    return t.app.deps.db.any(sql.type(perMatch)`
      SELECT m.id, m.status,
             (SELECT count(*)::int FROM chat_sessions c WHERE c.match_id = m.id) AS chats,
             (SELECT count(*)::int FROM engagements e WHERE e.match_id = m.id AND e.kind = 'chat') AS chat_engagements,
             (SELECT count(*)::int FROM engagements e WHERE e.match_id = m.id) AS engagements,
             (SELECT count(*)::int FROM searches s WHERE s.match_id = m.id AND s.state = 'matched') AS matched_searches
      FROM matches m WHERE m.id = ANY(${sql.array(ids, 'int8')}) ORDER BY m.id`);
  }

  async function storedStates(ids: readonly number[]) {
    const { redis, keys } = t.app.deps;
    // One command per proposal: their records lie in different slots of a cluster.
    const hashes = await Promise.all(ids.map((id) => redis.hgetall(keys.proposal(id))));
    return hashes.map((fields) => {
      const snapshot = JSON.parse(fields.snap ?? 'null') as { value: string } | null;
      return {
        value: snapshot?.value,
        rev: Number(fields.rev),
        pending: Object.keys(fields).filter((field) => field.startsWith('fx:')).length,
      };
    });
  }

  it(`${ROUNDS} rounds of accept A and accept B at the same moment: each ends Confirmed once`, async () => {
    const started = Date.now();
    const rows = await createProposalRows(t.app.deps.db, ROUNDS);
    const statuses: string[] = [];
    await inPool(rows, PARALLEL, async (row) => {
      await one.runtime.create(row.input);
      const results = await Promise.all([
        one.runtime.send(row.matchId, { type: 'proposal.accept', userId: row.userA }),
        two.runtime.send(row.matchId, { type: 'proposal.accept', userId: row.userB }),
      ]);
      statuses.push(
        results
          .map((result) => result.status)
          .sort()
          .join('+'),
      );
    });
    // Whoever saved first is told "waiting", the other confirms: never two confirmations.
    assert.deepEqual([...new Set(statuses)], ['active+waiting']);

    const ids = rows.map((row) => row.matchId);
    for (const row of await rowsOf(ids)) {
      assert.deepEqual(
        row,
        {
          id: row.id,
          status: 'active',
          chats: 1,
          chat_engagements: 2,
          engagements: 2,
          matched_searches: 2,
        },
        `match ${row.id}`,
      );
    }
    for (const [index, stored] of (await storedStates(ids)).entries()) {
      assert.deepEqual(stored, { value: 'Confirmed', rev: 3, pending: 0 }, `match ${ids[index]}`);
    }

    const { counter } = one;
    assert.deepEqual(counter.duplicates(), [], 'an effect ran twice');
    for (const row of rows) {
      const names = counter.executed(row.matchId).map((key) => key.split('|')[1]);
      assert.deepEqual(names.sort(), [
        'cancelExpiry',
        'coolDownPair',
        'recordAcceptance',
        'recordAcceptance',
        'scheduleExpiry',
        'sendIntro',
        'sendIntro',
        'sendProposal',
        'sendProposal',
        'startChat',
      ]);
    }
    const { queues } = await queueCounts();
    // Per user: the proposal, then the chat's opening message (with the rules); every expiry
    // timer was cancelled.
    assert.equal(queues.outbound, ROUNDS * 4);
    assert.equal(queues.proposalTimers, 0);
    assert.equal(queues.chatTimers, ROUNDS);
    assert.ok(one.conflicts.count + two.conflicts.count > 0, 'the two clients never raced');
    console.log(
      `      ${ROUNDS} accept races in ${Date.now() - started} ms; ` +
        `${one.conflicts.count + two.conflicts.count} compare-and-set conflicts retried`,
    );
  });

  it(`${EXPIRY_ROUNDS} rounds of expire racing the last accept: one final state, one set of effects`, async () => {
    const rows = await createProposalRows(t.app.deps.db, EXPIRY_ROUNDS);
    const outcomes = { Confirmed: 0, Expired: 0 };
    const byMatch = new Map<number, string>();
    await inPool(rows, PARALLEL, async (row: ProposalRow) => {
      await one.runtime.create(row.input);
      await one.runtime.send(row.matchId, { type: 'proposal.accept', userId: row.userA });
      await Promise.all([
        one.runtime.send(row.matchId, { type: 'proposal.expire', at: row.input.expiresAt }),
        two.runtime.send(row.matchId, { type: 'proposal.accept', userId: row.userB }),
      ]);
    });
    const ids = rows.map((row) => row.matchId);
    for (const [index, stored] of (await storedStates(ids)).entries()) {
      assert.ok(stored.value === 'Confirmed' || stored.value === 'Expired', String(stored.value));
      assert.equal(stored.rev, 3, 'create, accept, then exactly one more change');
      assert.equal(stored.pending, 0);
      outcomes[stored.value] += 1;
      byMatch.set(ids[index]!, stored.value);
    }
    const searches = await t.app.deps.db.any(sql.type(
      z.object({
        match_id: z.number(),
        user_id: z.number(),
        state: z.string(),
        requeue_count: z.number(),
        end_reason: z.string().nullable(),
      }),
    )`SELECT match_id, user_id, state, requeue_count, end_reason FROM searches
      WHERE match_id = ANY(${sql.array(ids, 'int8')})`);
    const { counter } = one;
    assert.deepEqual(counter.duplicates(), [], 'an effect ran twice');
    for (const row of await rowsOf(ids)) {
      const value = byMatch.get(row.id);
      const names = counter.executed(row.id).map((key) => key.split('|')[1]!);
      const own = searches.filter((search) => search.match_id === row.id);
      const matchRow = rows.find((candidate) => candidate.matchId === row.id)!;
      if (value === 'Confirmed') {
        assert.equal(row.status, 'active');
        assert.equal(row.chats, 1);
        assert.equal(row.chat_engagements, 2);
        assert.ok(names.includes('startChat'));
        assert.ok(
          !names.some((name) => ['closeProposal', 'settleSearch', 'notifyExpired'].includes(name)),
        );
      } else {
        assert.equal(row.status, 'expired');
        assert.equal(row.chats, 0);
        assert.equal(row.engagements, 0, 'nobody stays busy');
        assert.ok(!names.includes('startChat') && !names.includes('sendIntro'));
        assert.equal(names.filter((name) => name === 'closeProposal').length, 1);
        assert.equal(names.filter((name) => name === 'settleSearch').length, 2);
        assert.equal(names.filter((name) => name === 'notifyExpired').length, 2);
        const a = own.find((search) => search.user_id === matchRow.userA)!;
        const b = own.find((search) => search.user_id === matchRow.userB)!;
        // A accepted: back in the queue, one requeue used. B never answered: search ended.
        assert.deepEqual([a.state, a.requeue_count], ['queued', 1]);
        assert.deepEqual([b.state, b.end_reason], ['ended', 'end_no_answer']);
      }
    }
    console.log(
      `      expire vs accept: ${outcomes.Confirmed} Confirmed, ${outcomes.Expired} Expired`,
    );
  });

  async function queueCounts() {
    const { keys } = t.app.deps;
    const count = async (name: QueueName, states: JobType[]) => {
      const queue = new Queue(name, { connection: one.redis, prefix: keys.queuePrefix(name) });
      try {
        const counts = await queue.getJobCounts(...states);
        return Object.values(counts).reduce((sum, n) => sum + n, 0);
      } finally {
        await queue.close();
      }
    };
    const live: JobType[] = ['waiting', 'delayed', 'prioritized', 'active'];
    return {
      queues: {
        outbound: await count(QUEUE_NAMES.outbound, [...live, 'completed', 'failed']),
        proposalTimers: await count(QUEUE_NAMES.proposalTimers, live),
        chatTimers: await count(QUEUE_NAMES.chatTimers, live),
      },
    };
  }
});

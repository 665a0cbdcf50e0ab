import { strict as assert } from 'node:assert';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { MATCHER_GROUP } from '../../src/redis/keys.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import type { Spawned } from '../helpers/process.js';
import {
  countRows,
  createSearch,
  createUser,
  logLines,
  reap,
  scrape,
  spawnMatcher,
} from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { postApi } from '../helpers/match-api.js';

type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

/**
 * Real matcher processes against the match.find stream: one killed with SIGKILL between
 * reading an entry and acknowledging it, and entries that can never succeed.
 */
describe('matcher: crashes and poison entries (real processes)', function () {
  this.timeout(180_000);
  let t: TestApp;
  const running: Spawned[] = [];

  before(async () => {
    // The API only: the matchers under test are separate processes.
    t = await startTestApp({ ROLES: 'api' });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map(reap));
  });
  after(() => t?.stop());

  const matcher = async (env: Record<string, string>) => {
    const started = await spawnMatcher(t.app, env);
    running.push(started.run);
    return started;
  };
  const pending = async (): Promise<PendingRow[]> => {
    const { redis, keys } = t.app.deps;
    return (await redis.xpending(keys.matchFind, MATCHER_GROUP, '-', '+', 100)) as PendingRow[];
  };
  /** Consumers of the group and how many entries each holds. */
  const consumers = async () => {
    const { redis, keys } = t.app.deps;
    const rows = (await redis.xinfo('CONSUMERS', keys.matchFind, MATCHER_GROUP)) as unknown[][];
    return Object.fromEntries(
      rows.map((row) => [
        String(row[row.indexOf('name') + 1]),
        Number(row[row.indexOf('pending') + 1]),
      ]),
    );
  };
  const dead = async () => {
    const entries = await t.app.deps.redis.xrange(t.app.deps.keys.matchDead, '-', '+');
    return entries.map(([id, flat]) => ({
      id,
      fields: Object.fromEntries(
        flat.flatMap((value, index) => (index % 2 ? [] : [[value, flat[index + 1]!] as const])),
      ),
    }));
  };
  const stateOf = (searchId: string) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ state: z.string() }))`
      SELECT state FROM searches WHERE id = ${searchId}`);
  /** The match.find entry announcing `searchId`. */
  const entryOf = async (searchId: string) => {
    const { redis, keys } = t.app.deps;
    const entries = await redis.xrange(keys.matchFind, '-', '+');
    const found = entries.find(([, flat]) => flat[flat.indexOf('request_id') + 1] === searchId);
    assert.ok(found, `no entry for search ${searchId}`);
    return found[0];
  };
  const searchOf = (userId: number) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ id: z.string() }))`
      SELECT id FROM searches WHERE user_id = ${userId}`);

  it('an entry read by a matcher killed with SIGKILL is processed once by another', async () => {
    const { db } = t.app.deps;
    const bob = await createUser(db, { topics: [1, 2] });
    const alice = await createUser(db, { topics: [1, 2] });
    // Both press find while no matcher runs: Bob's entry comes first, Alice's second.
    for (const user of [bob, alice]) {
      assert.equal((await postApi(t.url, '/match/find', { user_id: user })).status, 200);
    }
    const [bobSearch, aliceSearch] = [await searchOf(bob), await searchOf(alice)];
    let firstConsumer = '';
    // Hold Alice's search row: a matcher that reads her entry blocks inside processing.
    const holder = new pg.Client({ connectionString: t.app.deps.config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM searches WHERE id = $1 FOR UPDATE', [aliceSearch]);
      const first = await matcher({ MATCHER_BATCH_SIZE: '1', MATCHER_CLAIM_IDLE_SECONDS: '3600' });
      await eventually(
        async () => (await stateOf(bobSearch)) === 'waiting',
        20_000,
        'Bob to wait in the pool',
      );
      const aliceEntry = await entryOf(aliceSearch);
      const [read] = await eventually(
        async () => {
          const rows = await pending();
          return rows.length === 1 && rows[0]![0] === aliceEntry && rows[0]![3] === 1
            ? rows
            : undefined;
        },
        20_000,
        'Alice’s entry to be read and held',
      );
      firstConsumer = read![1];
      // Not merely read: inside processing, waiting for the row.
      await eventually(
        async () => {
          const waiting = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          return waiting === 1;
        },
        20_000,
        'the matcher to wait for Alice’s row',
      );
      // Read, not acknowledged, and blocked on the row: kill it right there.
      first.run.child.kill('SIGKILL');
      assert.equal(await first.run.exited, null);
      assert.equal(first.run.child.signalCode, 'SIGKILL');
      assert.equal(await stateOf(aliceSearch), 'queued');
    } finally {
      await holder.query('COMMIT').catch(() => undefined);
      await holder.end();
    }
    // The whole claim is one SQL call, so the statement the killed matcher had sent may still
    // commit once the row is free (PostgreSQL notices the dead client only when it answers).
    // Either way the entry is pending and the next matcher must finish the job exactly once.
    assert.ok((await countRows(db, sql.fragment`SELECT 1 FROM matches`)) <= 1);
    assert.ok(firstConsumer);

    const second = await matcher({ MATCHER_CLAIM_IDLE_SECONDS: '1' });
    await eventually(
      async () => (await stateOf(aliceSearch)) === 'proposed',
      60_000,
      'Alice to be proposed',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the second matcher said:\n${second.run.output()}`);
    });
    await eventually(
      async () => (await pending()).length === 0,
      20_000,
      'the entry to be acknowledged',
    );

    const matches = await db.any(sql.type(z.object({ user_a: z.number(), user_b: z.number() }))`
      SELECT user_a, user_b FROM matches`);
    assert.deepEqual(matches, [{ user_a: alice, user_b: bob }]);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM engagements`), 2);
    assert.equal(await stateOf(bobSearch), 'proposed');
    assert.equal(await scrape(`http://127.0.0.1:${second.port}`, 'proposals_sent_total'), 1);
    assert.equal(
      logLines(second.run, 'reclaimed idle match requests').length,
      1,
      second.run.output(),
    );
    // The entry moved from the dead consumer to the new one, which has its own name.
    const group = await consumers();
    assert.equal(Object.keys(group).length, 2);
    assert.equal(group[firstConsumer], 0);
    // Nothing went to the dead letters on the way.
    assert.deepEqual(await dead(), []);
    assert.ok(!second.run.output().includes('match request failed'), second.run.output());
  });

  it('dead-letters malformed entries once, acknowledged, on first sight', async () => {
    const { redis, keys } = t.app.deps;
    const before = (await dead()).length;
    const m = await matcher({ MATCHER_MAX_DELIVERIES: '3', MATCHER_CLAIM_IDLE_SECONDS: '1' });
    const junk = [
      await redis.xadd(keys.matchFind, '*', 'request_id', 'not-a-uuid', 'user_id', '1'),
      await redis.xadd(keys.matchFind, '*', 'colour', 'blue'),
    ];
    const letters = await eventually(
      async () => {
        const all = (await dead()).slice(before);
        return all.length === 2 ? all : undefined;
      },
      20_000,
      'both to reach match.dead',
    );
    assert.deepEqual(
      letters.map((letter) => letter.fields.orig_id),
      junk,
    );
    assert.equal(letters[0]!.fields.request_id, 'not-a-uuid');
    assert.equal(letters[1]!.fields.colour, 'blue');
    assert.ok(letters.every((letter) => letter.fields.deliveries === '1'));
    assert.deepEqual(await pending(), []);
    // Janitor rounds later (every 2 s), still there exactly once.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await dead()).length, before + 2);
    assert.deepEqual(await pending(), []);
    assert.equal(await scrape(`http://127.0.0.1:${m.port}`, 'match_dead_total'), 2);
  });

  it('dead-letters an entry that keeps failing after MATCHER_MAX_DELIVERIES attempts', async () => {
    const { db, services } = t.app.deps;
    const before = (await dead()).length;
    // A user still held by an open proposal, with a stray queued search: processing it
    // fails every time (the matcher waits for the proposal to close, which never happens).
    const stuck = await createUser(db, { topics: [5, 6] });
    const partner = await createUser(db, { topics: [5, 6] });
    const matchId = await db.oneFirst(sql.type(z.object({ id: z.number() }))`
      INSERT INTO matches (user_a, user_b, score, shared_count, shared_topic_ids, expires_at)
      VALUES (${stuck}, ${partner}, 0.5, 2, '{5,6}', now() + interval '1 hour') RETURNING id`);
    await db.query(sql.unsafe`
      INSERT INTO engagements (user_id, match_id, kind) VALUES (${stuck}, ${matchId}, 'proposal')`);
    const searchId = await createSearch(db, stuck);
    const entryId = await services.producer.enqueue({
      request_id: searchId,
      user_id: stuck,
      topics: [5, 6],
      tz: 'Europe/Moscow',
      requested_at: Date.now(),
    });
    const m = await matcher({ MATCHER_MAX_DELIVERIES: '3', MATCHER_CLAIM_IDLE_SECONDS: '1' });
    const [letter] = await eventually(
      async () => {
        const all = (await dead()).slice(before);
        return all.length ? all : undefined;
      },
      60_000,
      'the entry to reach match.dead',
    );
    assert.equal(letter!.fields.orig_id, entryId);
    assert.equal(letter!.fields.request_id, searchId);
    assert.equal(letter!.fields.deliveries, '3');
    assert.deepEqual(await pending(), []);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await dead()).length, before + 1, 'dead-lettered once');
    assert.deepEqual(await pending(), []);
    // Tried exactly MATCHER_MAX_DELIVERIES times, then never again.
    assert.equal(logLines(m.run, 'match request failed; will be retried').length, 3);
    assert.equal(logLines(m.run, 'match request dead-lettered').length, 1);
    assert.equal(await scrape(`http://127.0.0.1:${m.port}`, 'match_dead_total'), 1);
    assert.equal(await stateOf(searchId), 'queued');
  });
});

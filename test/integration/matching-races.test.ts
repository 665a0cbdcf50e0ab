import { strict as assert } from 'node:assert';
import pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDbPool } from '../../src/db/pool.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { processSearch } from '../../src/matcher/claim-match.js';
import type { MatchProducer } from '../../src/streams/match-producer.js';
import { createSearchService } from '../../src/searches/search-service.js';
import { createSearchSweeper } from '../../src/searches/search-sweeper.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { Notice } from '../../src/notifications/notifier.js';
import type { ProposalRuntime } from '../../src/proposals/proposal-runtime.js';
import { createScratchDatabase } from '../helpers/databases.js';
import {
  countRows,
  createSearch,
  createUser,
  enterPool,
  resetMatching,
  searchStates,
} from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';

const options = { proposalTtlMs: 300_000, wakingMinutes: 840 };

/** Rejects if `promise` has not settled within `ms`: a deadlock shows up as a failure, not a hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Races between matchers, and between a matcher's claim and the other writers of the
 * waiting pool (cancel, the search TTL sweeper), made deterministic with real locks.
 */
describe('matching: races on the waiting pool (PostgreSQL)', function () {
  this.timeout(60_000);
  let url: string;
  let db: DatabasePool;
  let side: pg.Client;

  before(async () => {
    url = await createScratchDatabase();
    // PostgreSQL would break a deadlock after a second and slonik would quietly retry the
    // victim's transaction. With a long timeout a deadlock is a hang that `within` reports.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      `ALTER DATABASE ${pg.escapeIdentifier(admin.database!)} SET deadlock_timeout = '5min'`,
    );
    await admin.end();
    db = await createDbPool({ url, size: 8 });
  });
  after(() => db?.end());
  beforeEach(async () => {
    await resetMatching(db);
    side = new pg.Client({ connectionString: url });
    await side.connect();
  });
  afterEach(async () => {
    await side.query('ROLLBACK').catch(() => undefined);
    await side.end();
  });

  /**
   * Sessions of this database blocked on a lock right now. Asked through the pool, not
   * `side`: inside a transaction PostgreSQL keeps serving the first pg_stat_activity snapshot.
   */
  const blocked = () =>
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`);

  it('matches two requests that arrive together (the second chance)', async () => {
    const alice = await createUser(db, { topics: [1, 2, 3] });
    const bob = await createUser(db, { topics: [2, 3, 4] });
    const searches = [await createSearch(db, alice), await createSearch(db, bob)];
    // Both matchers may select, but neither may insert into the pool until both have
    // selected: each is certain to miss the other on its first look. (A SHARE lock lets the
    // candidate query's row locks through and blocks the pool insert that follows it, so
    // two blocked sessions means both first looks are done.)
    await side.query('BEGIN');
    await side.query('LOCK TABLE waiting_pool IN SHARE MODE');
    const both = Promise.all(searches.map((id) => processSearch(db, id, options)));
    await eventually(
      async () => (await blocked()) === 2,
      20_000,
      'both matchers to wait for the pool',
    );
    await side.query('COMMIT');
    const outcomes = await both;
    assert.equal(outcomes.filter((outcome) => outcome.kind === 'matched').length, 1);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 1);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM waiting_pool`), 0);
    assert.deepEqual(await searchStates(db, alice), ['proposed']);
    assert.deepEqual(await searchStates(db, bob), ['proposed']);
  });

  /** The matching service with only what cancel() uses: the database. */
  const cancelOnlyService = () =>
    createSearchService({
      db,
      producer: {} as MatchProducer,
      runtime: {} as ProposalRuntime,
      metrics: createMetrics(),
    });

  it('a cancel racing a claim of the same user waits for it instead of deadlocking', async () => {
    const user = await createUser(db, { topics: [1, 2] });
    const searchId = await enterPool(db, user, { utcOffsetMin: 180 });
    const matching = cancelOnlyService();
    // What a claim does, in its order: lock the candidate's pool row, then (later) write
    // the search. The cancel arrives in between.
    await side.query('BEGIN');
    await side.query('SELECT 1 FROM waiting_pool WHERE user_id = $1 FOR UPDATE', [user]);
    const cancel = matching.cancel(user).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await eventually(async () => (await blocked()) === 1, 20_000, 'the cancel to wait');
    await side.query('DELETE FROM waiting_pool WHERE user_id = $1', [user]);
    await within(
      side.query(`UPDATE searches SET state = 'proposed' WHERE id = $1`, [searchId]),
      10_000,
      'the claim',
    );
    await side.query('COMMIT');
    const result = await within(cancel, 10_000, 'the cancel');
    assert.ok('error' in result, 'the user is in a proposal now: nothing to cancel');
    assert.ok(result.error instanceof AppError, String(result.error));
    assert.equal(result.error.code, 'busy');
    assert.deepEqual(await searchStates(db, user), ['proposed']);
  });

  it('a cancel that waited for a matcher still takes the user out of the pool', async () => {
    const user = await createUser(db, { topics: [1, 2] });
    const searchId = await createSearch(db, user);
    const matching = cancelOnlyService();
    // A matcher is processing the search (it holds the row) when the cancel arrives; it
    // finds nobody and puts the user into the pool.
    await side.query('BEGIN');
    await side.query('SELECT 1 FROM searches WHERE id = $1 FOR UPDATE', [searchId]);
    const cancel = matching.cancel(user);
    await eventually(async () => (await blocked()) === 1, 20_000, 'the cancel to wait');
    await side.query(
      `INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at)
       SELECT user_id, id, '{1,2}', 180, 0.5, requested_at FROM searches WHERE id = $1`,
      [searchId],
    );
    await side.query(`UPDATE searches SET state = 'waiting' WHERE id = $1`, [searchId]);
    await side.query('COMMIT');
    assert.deepEqual(await within(cancel, 10_000, 'the cancel'), { cancelled: true });
    assert.deepEqual(await searchStates(db, user), ['cancelled']);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM waiting_pool`), 0);
  });

  it('the TTL sweeper skips a pool row being claimed, and ends old searches otherwise', async () => {
    const claimed = await createUser(db, { topics: [1, 2] });
    const old = await createUser(db, { topics: [1, 2] });
    const queued = await createUser(db, { topics: [3, 4] });
    const fresh = await createUser(db, { topics: [5, 6] });
    const claimedSearch = await enterPool(db, claimed, {
      utcOffsetMin: 180,
      requestedAgoMs: 120_000,
    });
    await enterPool(db, old, { utcOffsetMin: 180, requestedAgoMs: 90_000 });
    await createSearch(db, queued, 90_000);
    await enterPool(db, fresh, { utcOffsetMin: 180 });
    const told: { userId: number; notice: Notice }[] = [];
    const sweeper = createSearchSweeper({
      db,
      producer: {} as MatchProducer,
      notifier: {
        notify: (userId, notice) => {
          told.push({ userId, notice });
          return Promise.resolve();
        },
      },
      log: createLogger('silent'),
      standingHours: 24,
      searchTtlMs: 60_000,
      stuckAfterMs: 3_600_000,
    });
    await side.query('BEGIN');
    await side.query('SELECT 1 FROM waiting_pool WHERE user_id = $1 FOR UPDATE', [claimed]);
    assert.equal(await within(sweeper.expireSearches(), 10_000, 'the sweep'), 2);
    await side.query('DELETE FROM waiting_pool WHERE user_id = $1', [claimed]);
    await within(
      side.query(`UPDATE searches SET state = 'proposed' WHERE id = $1`, [claimedSearch]),
      10_000,
      'the claim',
    );
    await side.query('COMMIT');
    assert.deepEqual(await searchStates(db, claimed), ['proposed']);
    assert.deepEqual(await searchStates(db, old), ['expired']);
    assert.deepEqual(await searchStates(db, queued), ['expired']);
    assert.deepEqual(await searchStates(db, fresh), ['waiting']);
    const pool = await db.anyFirst(sql.type(z.object({ user_id: z.number() }))`
      SELECT user_id FROM waiting_pool`);
    assert.deepEqual(pool, [fresh]);
    assert.deepEqual(told.map((entry) => entry.userId).sort(), [old, queued].sort());
    assert.ok(told.every((entry) => entry.notice.kind === 'search.expired'));
    assert.equal(await sweeper.expireSearches(), 0, 'a second sweep finds nothing');
  });
});

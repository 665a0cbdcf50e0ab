import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { postApi } from '../helpers/match-api.js';
import {
  countRows,
  createSearch,
  createUser,
  createUsers,
  searchStates,
  withMatchingDatabase,
} from '../helpers/matching-fixtures.js';

const setting = z.object({ value: z.string() });
const kinds = z.object({ kind: z.string() });

/**
 * Joining the waiting pool commits without waiting for the WAL flush (synchronous_commit off
 * for that transaction only); a claim always waits. What makes that safe: a lost pool entry
 * leaves its search queued, and the search sweeper announces it again.
 */
describe('matching: commits that need not wait for the WAL flush (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  /** Runs `call` in a transaction; the outcomes and the setting its commit would use. */
  const committedWith = (
    call: (searches: string[]) => QuerySqlToken<typeof kinds>,
    ids: string[],
  ) =>
    db.transaction(async (tx) => {
      const outcomes = await tx.anyFirst(call(ids));
      const sync = await tx.oneFirst(sql.type(setting)`
        SELECT current_setting('synchronous_commit') AS value`);
      return { outcomes, sync };
    });
  const single = ([search]: string[]) =>
    sql.type(
      kinds,
    )`SELECT kind FROM match_process_search(${search!}, 'Europe/Moscow', 180, 60, 60000)`;
  const batch = (searches: string[]) =>
    sql.type(kinds)`
      SELECT kind FROM match_process_batch(${sql.array(searches, 'uuid')},
        ${sql.array(
          searches.map(() => 'Europe/Moscow'),
          'text',
        )}, ${sql.array(
          searches.map(() => 180),
          'int4',
        )}, 60, 60000)`;

  it('a request that joins the pool does not wait; one that claims does', async () => {
    const [alice, bob] = [
      await createUser(db, { topics: [1, 2, 3] }),
      await createUser(db, { topics: [1, 2, 3] }),
    ];
    const waits = await committedWith(single, [await createSearch(db, alice)]);
    assert.deepEqual(waits, { outcomes: ['waiting'], sync: 'off' });
    const claims = await committedWith(single, [await createSearch(db, bob)]);
    assert.deepEqual(claims, { outcomes: ['matched'], sync: 'on' });
  });

  it('a batch waits for the flush as soon as one of its requests claimed', async () => {
    const users = [
      await createUser(db, { topics: [1, 2, 3] }),
      await createUser(db, { topics: [4, 5, 6] }),
      await createUser(db, { topics: [1, 2, 3] }),
      await createUser(db, { topics: [7, 8, 9] }),
    ];
    const searches = [];
    for (const user of users) searches.push(await createSearch(db, user));
    const lonely = await committedWith(batch, searches.slice(0, 2));
    assert.deepEqual(lonely, { outcomes: ['waiting', 'waiting'], sync: 'off' });
    // The claim comes first and a request that only waits follows it: the claim decides.
    const mixed = await committedWith(batch, searches.slice(2));
    assert.deepEqual(mixed, { outcomes: ['matched', 'waiting'], sync: 'on' });
  });
});

/**
 * The rebuild that makes it safe, on the whole service: a search whose pool entry was lost
 * with its commit (a PostgreSQL crash) is open and queued with no match.find entry left, as the
 * matcher acknowledged the entry. The search sweeper announces it again and it is matched.
 */
describe('matching: a lost pool entry is rebuilt from the open search', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    // The sweeper runs every second in tests.
    t = await startTestApp({ SEARCH_STUCK_SECONDS: '2' });
  });
  after(() => t?.stop());

  it('the search is announced again and matched with a partner who came meanwhile', async () => {
    const { db } = t.app.deps;
    const [lost, partner] = await createUsers(db, 2, { topics: [21, 22, 23] });
    // What survives such a crash: search_start's row (its commit waited), nothing else.
    const searchId = randomUUID();
    await db.query(sql.unsafe`SELECT * FROM search_start(${lost!}, ${searchId})`);
    assert.deepEqual(await searchStates(db, lost!), ['queued']);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM waiting_pool`), 0);

    assert.equal((await postApi(t.url, '/match/find', { user_id: partner })).status, 200);
    await eventually(
      async () =>
        (await countRows(
          db,
          sql.fragment`SELECT 1 FROM matches
                       WHERE ${lost!} IN (user_a, user_b) AND ${partner!} IN (user_a, user_b)`,
        )) === 1,
      30_000,
      'the lost search matched with the partner',
    );
    assert.deepEqual(await searchStates(db, lost!), ['proposed']);
    assert.deepEqual(await searchStates(db, partner!), ['proposed']);
  });
});

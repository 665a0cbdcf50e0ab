import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { processBatch } from '../../src/matcher/claim-batch.js';
import {
  countRows,
  createSearch,
  createUser,
  searchStates,
  withMatchingDatabase,
} from '../helpers/matching-fixtures.js';

const options = { proposalTtlMs: 300_000, wakingMinutes: 840 };

/** The matcher's first pass over a whole stream batch: one call, one commit (match_process_batch). */
describe('matching: a stream batch in one call (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  it('two compatible requests of one batch meet in it, without a second chance', async () => {
    const alice = await createUser(db, { topics: [1, 2, 3] });
    const bob = await createUser(db, { topics: [2, 3, 4] });
    const requests = [
      { searchId: await createSearch(db, alice), tz: 'Europe/Moscow' },
      { searchId: await createSearch(db, bob), tz: 'Europe/Moscow' },
    ];
    const passes = await processBatch(db, requests, options);
    assert.equal(passes[0]?.kind, 'waiting');
    assert.equal(passes[1]?.kind, 'matched');
    if (passes[1]?.kind !== 'matched') return;
    assert.deepEqual([passes[1].match.userA, passes[1].match.userB], [bob, alice]);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 1);
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM waiting_pool`), 0);
    assert.deepEqual(await searchStates(db, alice), ['proposed']);
    assert.deepEqual(await searchStates(db, bob), ['proposed']);
  });

  it('answers each request for itself: unknown, already proposed, a changed zone', async () => {
    const alice = await createUser(db, { topics: [1, 2] });
    const bob = await createUser(db, { topics: [1, 2] });
    const carol = await createUser(db, { topics: [7, 8], tz: 'Asia/Tokyo' });
    const aliceSearch = await createSearch(db, alice);
    const bobSearch = await createSearch(db, bob);
    const first = await processBatch(
      db,
      [
        { searchId: aliceSearch, tz: 'Europe/Moscow' },
        { searchId: bobSearch, tz: 'Europe/Moscow' },
      ],
      options,
    );
    assert.equal(first[1]?.kind, 'matched');
    const matchId = first[1]?.kind === 'matched' ? first[1].match.matchId : -1;
    const passes = await processBatch(
      db,
      [
        { searchId: '00000000-0000-4000-8000-000000000000', tz: 'Europe/Moscow' },
        { searchId: bobSearch, tz: 'Europe/Moscow' },
        { searchId: await createSearch(db, carol), tz: 'Europe/Moscow' },
      ],
      options,
    );
    assert.deepEqual(passes, [
      { kind: 'skipped', reason: 'unknown' },
      { kind: 'skipped', reason: 'not_queued', matchId },
      { kind: 'alone', reason: 'tz' },
    ]);
  });

  it("one request's failure leaves the others' work committed and its own undone", async () => {
    const alice = await createUser(db, { topics: [1, 2, 3] });
    const broken = await createUser(db, { topics: [7, 8], firstName: 'broken' });
    const bob = await createUser(db, { topics: [2, 3, 4] });
    // A fault in the middle of one request's work: its pool insert fails.
    await db.query(sql.unsafe`
      CREATE FUNCTION test_fail_pool_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT first_name FROM users WHERE id = NEW.user_id) = 'broken' THEN
          RAISE EXCEPTION 'injected fault';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(sql.unsafe`
      CREATE TRIGGER test_fail_pool_insert BEFORE INSERT ON waiting_pool
      FOR EACH ROW EXECUTE FUNCTION test_fail_pool_insert()`);
    try {
      const passes = await processBatch(
        db,
        [
          { searchId: await createSearch(db, alice), tz: 'Europe/Moscow' },
          { searchId: await createSearch(db, broken), tz: 'Europe/Moscow' },
          { searchId: await createSearch(db, bob), tz: 'Europe/Moscow' },
        ],
        options,
      );
      assert.deepEqual(
        passes.map((pass) => pass.kind),
        ['waiting', 'alone', 'matched'],
      );
      assert.match(passes[1]?.kind === 'alone' ? (passes[1].error ?? '') : '', /injected fault/);
      assert.deepEqual(await searchStates(db, broken), ['queued']);
      assert.deepEqual(await searchStates(db, alice), ['proposed']);
      assert.deepEqual(await searchStates(db, bob), ['proposed']);
    } finally {
      await db.query(sql.unsafe`DROP TRIGGER test_fail_pool_insert ON waiting_pool`);
      await db.query(sql.unsafe`DROP FUNCTION test_fail_pool_insert()`);
    }
  });
});

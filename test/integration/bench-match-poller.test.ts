import { strict as assert } from 'node:assert';
import pg from 'pg';
import { createMatchPoller } from '../../bench/match-poller.js';
import { createScratchDatabase } from '../helpers/databases.js';

/**
 * The benchmark harness learns of proposals by reading `matches`; ids commit out of order.
 * Runs against a real PostgreSQL, on a table of the same name and columns in a schema of its
 * own, so ids can be written in any order.
 */
describe('bench: the match poller (PostgreSQL)', function () {
  this.timeout(30_000);
  let db: pg.Pool;

  beforeEach(async () => {
    const url = await createScratchDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA poller;
      CREATE TABLE poller.matches (id bigint PRIMARY KEY, user_a bigint NOT NULL,
                                   user_b bigint NOT NULL, expires_at timestamptz NOT NULL)`);
    await admin.end();
    db = new pg.Pool({ connectionString: url, options: '-c search_path=poller', max: 2 });
  });
  afterEach(() => db.end());

  const insert = (...ids: number[]) =>
    db.query(
      `INSERT INTO matches SELECT id, id * 10, id * 10 + 1, to_timestamp(1000 + id)
       FROM unnest($1::bigint[]) AS id`,
      [ids],
    );
  const ids = (matches: { id: number }[]) => matches.map((match) => match.id);

  it('starts after the matches that exist when it is created', async () => {
    await insert(1, 2);
    const poll = await createMatchPoller(db);
    assert.deepEqual(ids(await poll()), []);
    await insert(3);
    const [match] = await poll();
    assert.deepEqual(match, { id: 3, userA: 30, userB: 31, expiresMs: 1_003_000 });
  });

  it('returns each match once, including one that commits after a higher id', async () => {
    const poll = await createMatchPoller(db, 3_000);
    await insert(1, 2, 4);
    assert.deepEqual(ids(await poll(10_000)), [1, 2, 4]);
    assert.deepEqual(ids(await poll(10_100)), []);
    await insert(3, 5);
    assert.deepEqual(ids(await poll(10_200)), [3, 5]);
    assert.deepEqual(ids(await poll(10_300)), []);
  });

  it('gives up on a missing id after the gap time: a rolled-back claim never commits', async () => {
    const poll = await createMatchPoller(db, 3_000);
    await insert(1, 3);
    assert.deepEqual(ids(await poll(10_000)), [1, 3]);
    await insert(4);
    assert.deepEqual(ids(await poll(14_000)), [4]);
    // Id 2 was given up at 13 s: if it came now it would be missed, by design.
    await insert(2);
    assert.deepEqual(ids(await poll(14_100)), []);
  });
});

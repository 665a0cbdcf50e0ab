import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createSearchStartBatcher } from '../../src/searches/search-start-batcher.js';
import { createUser, searchStates, withMatchingDatabase } from '../helpers/matching-fixtures.js';

/** /find's search_start calls grouped into one call and one commit (search_start_batch). */
describe('searches: search_start grouped across requests (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  /**
   * How many transactions wrote the searches there are: a search's requested_at is its
   * transaction's start (now()), to the microsecond.
   */
  const writers = () =>
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(DISTINCT requested_at)::int AS n FROM searches`);

  it('each caller gets its own answer, from one call for requests arriving together', async () => {
    const ready = await createUser(db, { topics: [1, 2] });
    const other = await createUser(db, { topics: [3, 4] });
    const incomplete = await createUser(db, { topics: [1] });
    const start = createSearchStartBatcher({ db, windowMs: 20, maxSize: 64 });
    const [a, b, c, twice, missing] = await Promise.all([
      start(ready, randomUUID()),
      start(incomplete, randomUUID()),
      start(other, randomUUID()),
      start(ready, randomUUID()),
      start(999_999, randomUUID()),
    ]);
    assert.equal(await writers(), 1, 'both searches were written by one transaction');
    assert.equal(a.outcome, 'queued');
    assert.deepEqual(a.topic_ids, [1, 2]);
    assert.equal(b.outcome, 'profile_incomplete');
    assert.equal(c.outcome, 'queued');
    assert.deepEqual(c.topic_ids, [3, 4]);
    assert.equal(twice.outcome, 'already', 'the second request of the same user, in order');
    assert.equal(missing.outcome, 'not_found');
    assert.deepEqual(await searchStates(db, ready), ['queued']);
    assert.deepEqual(await searchStates(db, incomplete), []);
  });

  it("a request the batch cannot start gets its own error; the others' searches stand", async () => {
    const ready = await createUser(db, { topics: [1, 2] });
    const start = createSearchStartBatcher({ db, windowMs: 20, maxSize: 64 });
    const results = await Promise.allSettled([
      start(ready, randomUUID()),
      start(ready + 1, 'not-a-uuid'),
    ]);
    assert.equal(results[0].status === 'fulfilled' && results[0].value.outcome, 'queued');
    const failed = results[1];
    assert.equal(failed.status, 'rejected');
    assert.match(String(failed.status === 'rejected' ? failed.reason : ''), /uuid/);
    assert.deepEqual(await searchStates(db, ready), ['queued']);
  });

  it('a full batch goes at once, without waiting for the window', async () => {
    const users = [
      await createUser(db, { topics: [1, 2] }),
      await createUser(db, { topics: [1, 2] }),
    ];
    const start = createSearchStartBatcher({ db, windowMs: 60_000, maxSize: 2 });
    const rows = await Promise.all(users.map((user) => start(user, randomUUID())));
    assert.deepEqual(
      rows.map((row) => row.outcome),
      ['queued', 'queued'],
    );
  });
});

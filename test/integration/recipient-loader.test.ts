import { strict as assert } from 'node:assert';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { getRecipient } from '../../src/db/queries/users.js';
import { createRecipientLoader } from '../../src/db/recipient-loader.js';
import {
  createSearch,
  createUser,
  enterPool,
  withMatchingDatabase,
} from '../helpers/matching-fixtures.js';

/** The pool, with every statement sent through it counted. */
function counting(db: DatabasePool): { db: CommonQueryMethods; statements: () => number } {
  let statements = 0;
  const counted = new Proxy(db, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        statements += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: counted, statements: () => statements };
}

/** The notifier's recipient reads, gathered per turn of the event loop (PostgreSQL). */
describe('notifier: recipients read together (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  /** Two users matched by the matcher's own claim; returns them and the match. */
  async function proposedPair(): Promise<{ a: number; b: number; matchId: number }> {
    const waiting = await createUser(db, { topics: [1, 2, 3], firstName: 'Waiting' });
    const seeker = await createUser(db, { topics: [1, 2, 3], firstName: 'Seeker' });
    await enterPool(db, waiting, { utcOffsetMin: 180 });
    const search = await createSearch(db, seeker);
    const matchId = await db.oneFirst(sql.type(z.object({ match_id: z.number() }))`
      SELECT match_id FROM match_process_search(${search}, 'Europe/Moscow', 180, 60, 60000)
      WHERE kind = 'matched'`);
    return { a: seeker, b: waiting, matchId };
  }

  it('requests made together share one statement, each getting what getRecipient gives', async () => {
    const { a, b, matchId } = await proposedPair();
    const gone = await createUser(db, { topics: [4, 5] });
    await db.query(
      sql.unsafe`UPDATE users SET deleted_at = now(), tg_id = NULL WHERE id = ${gone}`,
    );
    const requests: [number, number | null][] = [
      [a, matchId],
      [b, matchId],
      [a, null],
      [gone, null],
      [gone, matchId],
      [999_999, matchId],
    ];
    const counter = counting(db);
    const load = createRecipientLoader(counter.db);
    const loaded = await Promise.all(requests.map(([user, match]) => load(user, match)));
    assert.equal(counter.statements(), 1, 'one statement for all six requests');

    const alone = await Promise.all(requests.map(([user, match]) => getRecipient(db, user, match)));
    assert.deepEqual(loaded, alone);
    // What the comparison covers, so that it cannot pass on rows that are all empty.
    assert.equal(loaded[0]?.partner_name, 'Waiting');
    assert.equal(loaded[1]?.partner_name, 'Seeker');
    assert.deepEqual(loaded[0]?.shared_topic_ids, [1, 2, 3]);
    assert.equal(loaded[0]?.is_user_a, true);
    assert.ok(loaded[0]?.first_requested_at instanceof Date);
    assert.equal(loaded[2]?.partner_name, null, 'no match given: no partner');
    assert.equal(loaded[3]?.reachable, false, 'a deleted user is read, and unreachable');
    assert.equal(loaded[4]?.partner_name, null, 'not in that match: no partner');
    assert.equal(loaded[5], null, 'an unknown user');
  });

  it('requests a few promise jobs apart share it too; a lone request reads alone', async () => {
    const { a, b, matchId } = await proposedPair();
    const counter = counting(db);
    const load = createRecipientLoader(counter.db);
    const later = async () => {
      await Promise.resolve();
      await Promise.resolve();
      return load(b, matchId);
    };
    const [first, second] = await Promise.all([load(a, matchId), later()]);
    assert.equal(counter.statements(), 1);
    assert.equal(first?.partner_name, 'Waiting');
    assert.equal(second?.partner_name, 'Seeker');

    const single = await load(a, null);
    assert.equal(counter.statements(), 2);
    assert.deepEqual(single, await getRecipient(db, a, null));
  });

  it('when the shared statement fails, each request is read alone and gets its own answer or error', async () => {
    const { a, matchId } = await proposedPair();
    // A match id beyond bigint fails the shared statement and, read alone, only its own read.
    const counter = counting(db);
    const load = createRecipientLoader(counter.db);
    const [good, bad] = await Promise.allSettled([load(a, matchId), load(a, 2 ** 70)]);
    assert.equal(counter.statements(), 3, 'the shared statement, then each alone');
    assert.equal(good.status === 'fulfilled' && good.value?.partner_name, 'Waiting');
    assert.equal(bad.status, 'rejected');
    assert.match(String(bad.status === 'rejected' ? bad.reason : ''), /bigint|out of range/);
  });
});

import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { getRecipient } from '../../src/db/queries/users.js';
import { hasProposalSoonAfter } from '../../src/db/queries/matches.js';
import { createUser, withMatchingDatabase } from '../helpers/matching-fixtures.js';

const HOLD_MS = 1500;
const T0 = '2026-06-01T12:00:00Z';

/**
 * The old card's held "skipped" edit and the new card's "the previous person skipped" read
 * the same rows from two sides (hasProposalSoonAfter and since_partner_skipped_ms): for any
 * moment the new proposal is made at, exactly one of them says it (PostgreSQL).
 */
describe('skip notice: the held edit and the new card agree (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  /** A search match of `a` and `b` made at `createdAt` (+ `ms`), optionally decided. */
  async function match(
    a: number,
    b: number,
    ms: number,
    decided?: { afterMs: number; status: 'declined' | 'expired'; by: number | null },
  ): Promise<number> {
    const at = (offset: number) => sql.fragment`${T0}::timestamptz + ${offset} * interval '1 ms'`;
    return db.oneFirst(sql.type(z.object({ id: z.number() }))`
      INSERT INTO matches (user_a, user_b, score, shared_count, shared_topic_ids, created_at,
                           expires_at, status, decided_at, declined_by)
      VALUES (${a}, ${b}, 0.5, 2, '{1,2}', ${at(ms)}, ${at(ms + 60_000)},
              ${decided?.status ?? 'proposed'},
              ${decided ? at(ms + decided.afterMs) : null}, ${decided?.by ?? null})
      RETURNING id`);
  }

  const says = async (userId: number, oldMatch: number, newMatch: number) => {
    const since = (await getRecipient(db, userId, newMatch))!.since_partner_skipped_ms;
    return {
      heldEditDropped: await hasProposalSoonAfter(db, userId, oldMatch, HOLD_MS),
      newCardSays: since !== null && since <= HOLD_MS,
    };
  };

  for (const gap of [1, 700, HOLD_MS - 1, HOLD_MS, HOLD_MS + 1, 10_000]) {
    it(`a new proposal ${gap} ms after the skip: the held edit goes or the new card says it`, async () => {
      const [waiting, skipper, next] = await Promise.all(
        ['Waiting', 'Skipper', 'Next'].map((firstName) =>
          createUser(db, { topics: [1, 2], firstName }),
        ),
      );
      const old = await match(waiting!, skipper!, 0, {
        afterMs: 5_000,
        status: 'declined',
        by: skipper!,
      });
      const fresh = await match(next!, waiting!, 5_000 + gap);
      const within = gap <= HOLD_MS;
      assert.deepEqual(await says(waiting!, old, fresh), {
        heldEditDropped: within,
        newCardSays: within,
      });
    });
  }

  it('only a skip by the partner, of the proposal just before, counts', async () => {
    const [me, other, third, next] = await Promise.all(
      ['Me', 'Other', 'Third', 'Next'].map((firstName) =>
        createUser(db, { topics: [1, 2], firstName }),
      ),
    );
    const newCardSays = async (newMatch: number) => {
      const since = (await getRecipient(db, me!, newMatch))!.since_partner_skipped_ms;
      return since !== null && since <= HOLD_MS;
    };
    // A partner skipped, and a new proposal came at once (its card said so); I skipped that
    // one myself. The next card has nothing to say about skipping.
    await match(me!, other!, 0, { afterMs: 4_000, status: 'declined', by: other! });
    await match(third!, me!, 4_100, { afterMs: 800, status: 'declined', by: me! });
    assert.equal(await newCardSays(await match(next!, me!, 5_000)), false);
    // The proposal before expired: its own card was closed saying so.
    await match(me!, third!, 6_000, { afterMs: 60_000, status: 'expired', by: null });
    assert.equal(await newCardSays(await match(other!, me!, 66_100)), false);
    // A direct invitation (/again) within the moment has its own words, which say nothing of
    // the skip: the old card is closed as usual.
    const skipped = await match(me!, next!, 70_000, {
      afterMs: 500,
      status: 'declined',
      by: next!,
    });
    const direct = await match(third!, me!, 70_600);
    await db.query(sql.unsafe`UPDATE matches SET kind = 'again' WHERE id = ${direct}`);
    assert.equal(await hasProposalSoonAfter(db, me!, skipped, HOLD_MS), false);
  });
});

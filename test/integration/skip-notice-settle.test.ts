import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { getRecipient } from '../../src/db/queries/users.js';
import { settleSkipNotice } from '../../src/db/queries/matches.js';
import { createUser, withMatchingDatabase } from '../helpers/matching-fixtures.js';

/**
 * Someone's partner skipped: either the old card is closed saying so (its held edit, settled
 * by settleSkipNotice when due) or their next proposal's card says it (follows_partner_skip).
 * The two read the same pair of matches from either side, so, whichever comes first, one of
 * them says it (PostgreSQL).
 */
describe('skip notice: settled once, the held edit and the next card agree (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  /** A match of `a` and `b`; decided when `decided` says how. */
  async function match(
    a: number,
    b: number,
    decided?: { status: 'declined' | 'expired'; by?: number },
    kind: 'search' | 'again' = 'search',
  ): Promise<number> {
    return db.oneFirst(sql.type(z.object({ id: z.number() }))`
      INSERT INTO matches (user_a, user_b, score, shared_count, shared_topic_ids, expires_at,
                           status, decided_at, declined_by, kind)
      VALUES (${a}, ${b}, 0.5, 2, '{1,2}', now() + interval '1 minute',
              ${decided?.status ?? 'proposed'}, ${decided ? sql.fragment`now()` : null},
              ${decided?.by ?? null}, ${kind})
      RETURNING id`);
  }

  const users = (...names: string[]) =>
    Promise.all(names.map((firstName) => createUser(db, { topics: [1, 2], firstName })));
  const cardSays = async (userId: number, matchId: number) =>
    (await getRecipient(db, userId, matchId))!.follows_partner_skip === true;

  it('no new proposal by the time the edit is due: the card is closed, the next card is silent', async () => {
    const [me, skipper, next] = await users('Me', 'Skipper', 'Next');
    const skipped = await match(me!, skipper!, { status: 'declined', by: skipper! });
    assert.equal(await settleSkipNotice(db, me!, skipped), 'edit');
    assert.equal(await cardSays(me!, await match(next!, me!)), false);
    assert.equal(await settleSkipNotice(db, me!, skipped), 'edit', 'a retried release agrees');
  });

  it('a new proposal first: its card says it, and the edit is dropped', async () => {
    const [me, skipper, next] = await users('Me', 'Skipper', 'Next');
    const skipped = await match(skipper!, me!, { status: 'declined', by: skipper! });
    const fresh = await match(me!, next!);
    assert.equal(await cardSays(me!, fresh), true);
    assert.equal(await settleSkipNotice(db, me!, skipped), 'dropped');
    // Read again (a repaired proposal, say): it still says it.
    assert.equal(await cardSays(me!, fresh), true);
    assert.equal(await settleSkipNotice(db, me!, skipped), 'dropped');
    // The partner in the new proposal had no skip before it: nothing to say to them.
    assert.equal(await cardSays(next!, fresh), false);
  });

  it('releases running at once get the same answer', async () => {
    for (const nextFirst of [false, true]) {
      const [me, skipper, next] = await users('Me', 'Skipper', 'Next');
      const skipped = await match(me!, skipper!, { status: 'declined', by: skipper! });
      if (nextFirst) await match(next!, me!);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => settleSkipNotice(db, me!, skipped)),
      );
      assert.deepEqual(answers, Array(4).fill(nextFirst ? 'dropped' : 'edit'));
    }
  });

  it('only a skip by the partner, of the match just before, is news', async () => {
    const [me, other, third, next] = await users('Me', 'Other', 'Third', 'Next');
    // I skipped the match before myself; a partner skipped the one before that.
    await match(me!, other!, { status: 'declined', by: other! });
    await match(third!, me!, { status: 'declined', by: me! });
    const after = await match(next!, me!);
    assert.equal(await cardSays(me!, after), false);
    await db.query(
      sql.unsafe`UPDATE matches SET status = 'expired', decided_at = now() WHERE id = ${after}`,
    );
    // The match before expired: its card was closed saying so.
    assert.equal(await cardSays(me!, await match(other!, me!)), false);
  });

  it('a direct invitation (/again) next: its own words say nothing of the skip, so the card is closed', async () => {
    const [me, skipper, friend, next] = await users('Me', 'Skipper', 'Friend', 'Next');
    const skipped = await match(me!, skipper!, { status: 'declined', by: skipper! });
    await match(friend!, me!, { status: 'expired' }, 'again');
    assert.equal(await settleSkipNotice(db, me!, skipped), 'edit');
    // And the search proposal after the invitation follows the invitation, not the skip.
    assert.equal(await cardSays(me!, await match(next!, me!)), false);
  });
});

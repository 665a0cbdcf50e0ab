import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import { processSearch } from '../../src/matcher/claim-match.js';
import {
  countRows,
  createSearch,
  createUser,
  enterPool,
  resetMatching,
  searchStates,
  withMatchingDatabase,
} from '../helpers/matching-fixtures.js';

const options = { proposalTtlMs: 300_000, wakingMinutes: 14 * 60 };

/** Ways a user who could search stops being allowed to, and what /find then answers. */
const REFUSALS: { what: string; outcome: string; change: (userId: number) => QuerySqlToken }[] = [
  {
    what: 'deleted',
    outcome: 'not_found',
    change: (id) => sql.unsafe`UPDATE users SET deleted_at = now() WHERE id = ${id}`,
  },
  {
    what: 'without accepted rules',
    outcome: 'profile_incomplete',
    change: (id) => sql.unsafe`UPDATE users SET rules_accepted_at = NULL WHERE id = ${id}`,
  },
  {
    what: 'down to one topic',
    outcome: 'profile_incomplete',
    change: (id) => sql.unsafe`DELETE FROM user_topics WHERE user_id = ${id} AND topic_id = 2`,
  },
  {
    what: 'suspended',
    outcome: 'suspended',
    change: (id) => sql.unsafe`UPDATE users SET suspended_at = now() WHERE id = ${id}`,
  },
  {
    what: 'who blocked the bot',
    outcome: 'bot_blocked',
    change: (id) => sql.unsafe`UPDATE users SET bot_blocked_at = now() WHERE id = ${id}`,
  },
];

/**
 * "Who may search" is one SQL function (user_search_refusal) that both /find (search_start)
 * and the matcher (match_process_search) ask: a user it refuses can neither start a search
 * nor be matched by one started before.
 */
describe('matching: who may search, the same at /find and in the matcher', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool));

  const start = (userId: number) =>
    db.oneFirst(sql.type(z.object({ outcome: z.string() }))`
      SELECT outcome FROM search_start(${userId}, ${randomUUID()})`);

  it('starts and matches a user with a complete profile', async () => {
    const partner = await createUser(db, { topics: [1, 2] });
    await enterPool(db, partner, { utcOffsetMin: 180 });
    const user = await createUser(db, { topics: [1, 2] });
    const search = await createSearch(db, user);
    assert.equal((await processSearch(db, search, options)).kind, 'matched');
    await resetMatching(db);
    assert.equal(await start(user), 'queued');
  });

  for (const refusal of REFUSALS) {
    it(`refuses a user ${refusal.what}: /find answers ${refusal.outcome}, a queued search ends unmatched`, async () => {
      const partner = await createUser(db, { topics: [1, 2] });
      await enterPool(db, partner, { utcOffsetMin: 180 });
      const user = await createUser(db, { topics: [1, 2] });
      const search = await createSearch(db, user);
      await db.query(refusal.change(user));

      assert.deepEqual(await processSearch(db, search, options), {
        kind: 'skipped',
        reason: 'ineligible',
      });
      assert.deepEqual(await searchStates(db, user), ['ended']);
      assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 0);
      assert.deepEqual(await searchStates(db, partner), ['waiting']);

      assert.equal(await start(user), refusal.outcome);
      assert.deepEqual(await searchStates(db, user), ['ended'], 'no new search was opened');
    });
  }
});

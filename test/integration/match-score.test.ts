import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDbPool } from '../../src/db/pool.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { createUsers } from '../helpers/matching-fixtures.js';
import { matchScore, wakingOverlap } from '../helpers/score-oracle.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);

const offset = fc.integer({ min: -720, max: 840 });
const helpfulness = fc.float({ min: 0, max: 1, noNaN: true }).map(Math.fround);
const topics = fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 6 });
/** A role per topic: none, "I can help with this" or "I want to learn". */
const roles = fc.array(fc.constantFrom(null, 'help', 'learn'), { minLength: 6, maxLength: 6 });
const waiting = fc.record({
  topics,
  offset,
  helpfulness,
  waitedSeconds: fc.integer({ min: 1, max: 3_600 }),
  roles,
});

interface Waiting {
  topics: number[];
  offset: number;
  helpfulness: number;
  waitedSeconds: number;
  roles: (string | null)[];
}

/** The topics of `topics` whose role (by topic id) is `role`. */
const withRole = (topics: number[], of: (string | null)[], role: string) =>
  topics.filter((topic) => of[topic - 1] === role);

const candidate = z.object({ user_id: z.number(), score: z.number() });

/**
 * The score exists once in the service, as SQL (match_score, waking_overlap). These check it
 * against the TypeScript oracle on generated cases, alone and as the candidate query ranks.
 */
describe('score: the SQL functions against the TypeScript oracle', function () {
  this.timeout(120_000);
  let db: DatabasePool;
  let users: number[];

  before(async () => {
    db = await createDbPool({ url: await createScratchDatabase(), size: 2 });
    users = await createUsers(db, 9, { topics: [] });
  });
  after(() => db?.end());

  it('match_score equals the oracle for any shared count, offsets, window and helpfulness', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        offset,
        offset,
        fc.integer({ min: 0, max: 1_440 }),
        helpfulness,
        fc.boolean(),
        async (shared, a, b, minutes, help, mentoring) => {
          const score = await db.oneFirst(sql.type(z.object({ score: z.number() }))`
            SELECT match_score(${shared}, ${a}, ${b}, ${minutes}, ${help}::real, ${mentoring})
              AS score`);
          const expected = matchScore(shared, wakingOverlap(a, b, minutes), help, mentoring);
          close(score, expected, `match_score(${shared}, ${a}, ${b}, ${minutes}, ${help})`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('match_select_candidate returns a candidate the oracle scores best, with that score', async () => {
    const seeker = () => users[8]!;
    const fill = async (pool: Waiting[]) => {
      // DELETE, not TRUNCATE: a TRUNCATE per generated case costs seconds over the run.
      await db.query(sql.unsafe`DELETE FROM waiting_pool`);
      await db.query(sql.unsafe`DELETE FROM searches`);
      for (const [index, entry] of pool.entries()) {
        await db.query(sql.unsafe`
          WITH s AS (
            INSERT INTO searches (id, user_id, state, requested_at)
            VALUES (gen_random_uuid(), ${users[index]!}, 'waiting',
                    now() - make_interval(secs => ${entry.waitedSeconds}))
            RETURNING id, user_id, requested_at)
          INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness,
                                    requested_at, help_topic_ids, learn_topic_ids)
          SELECT user_id, id, ${sql.array(entry.topics, 'int4')}, ${entry.offset},
                 ${entry.helpfulness}, requested_at,
                 ${sql.array(withRole(entry.topics, entry.roles, 'help'), 'int4')},
                 ${sql.array(withRole(entry.topics, entry.roles, 'learn'), 'int4')}
          FROM s`);
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(waiting, { maxLength: 8 }),
        topics,
        offset,
        fc.integer({ min: 60, max: 1_440 }),
        roles,
        async (pool, mine, myOffset, minutes, myRoles) => {
          await fill(pool);
          const myHelp = withRole(mine, myRoles, 'help');
          const myLearn = withRole(mine, myRoles, 'learn');
          const scored = pool
            .map((entry, index) => ({
              userId: users[index]!,
              shared: entry.topics.filter((topic) => mine.includes(topic)).length,
              entry,
            }))
            .filter(({ shared }) => shared >= 2)
            .map(({ userId, shared, entry }) => ({
              userId,
              score: matchScore(
                shared,
                wakingOverlap(myOffset, entry.offset, minutes),
                entry.helpfulness,
                withRole(entry.topics, entry.roles, 'help').some((t) => myLearn.includes(t)) ||
                  withRole(entry.topics, entry.roles, 'learn').some((t) => myHelp.includes(t)),
              ),
            }));
          for (const lock of [false, true]) {
            const found = await db.maybeOne(sql.type(candidate)`
              SELECT user_id, score FROM match_select_candidate(${seeker()},
                ${sql.array(mine, 'int4')}, ${myOffset}, ${minutes}, ${lock},
                ${sql.array(myHelp, 'int4')}, ${sql.array(myLearn, 'int4')})`);
            if (!scored.length) {
              assert.equal(found, null, 'nobody shares two topics');
              continue;
            }
            assert.ok(found, 'someone shares two topics');
            const expected = scored.find((entry) => entry.userId === found.user_id);
            assert.ok(expected, `user ${found.user_id} does not share two topics`);
            close(found.score, expected.score, 'the returned score');
            close(expected.score, Math.max(...scored.map((entry) => entry.score)), 'the best');
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

import type pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { utcOffsetMinutes } from '../src/time/waking-hours.js';
import type { BenchUser } from './population.js';
import { median, round } from './stats.js';

/**
 * The candidate SQL of the sprint document, section 6, character for character. `:user_id`
 * is a psql-style variable: it is replaced by the integer literal, as `\set user_id 42`
 * would, so the statement PostgreSQL plans is exactly the document's.
 */
export const SPRINT_CANDIDATE_SQL = `WITH me AS (
  SELECT :user_id AS user_id,
         ARRAY(SELECT topic_id FROM user_topics WHERE user_id = :user_id) AS my_topics,
         (SELECT tz FROM users WHERE id = :user_id) AS my_tz
), pool AS (
  SELECT u.id AS cand_id, u.tz,
         ARRAY(SELECT topic_id FROM user_topics ut WHERE ut.user_id = u.id) AS cand_topics
  FROM users u
  WHERE u.id <> :user_id
    AND NOT EXISTS (
      SELECT 1 FROM recent_contacts rc
      WHERE rc.user_id = :user_id AND rc.other_id = u.id AND rc.until > now()
    )
), overlap AS (
  SELECT p.cand_id,
         CARDINALITY(ARRAY(SELECT UNNEST(p.cand_topics) INTERSECT SELECT UNNEST(me.my_topics))) AS shared_cnt,
         p.tz
  FROM pool p, me
)
SELECT cand_id, shared_cnt
FROM overlap
WHERE shared_cnt >= 2
ORDER BY shared_cnt DESC
LIMIT 10;`;

const candidateRow = z.object({
  user_id: z.number(),
  search_id: z.string(),
  requested_at: z.date(),
  shared_topic_ids: z.array(z.number()),
  score: z.number(),
});

/**
 * Our candidate selection for `user` through slonik: match_select_candidate, the query the
 * matcher's claim runs, without the lock (the pool here is not being claimed).
 */
function selectCandidate(db: DatabasePool, user: BenchUser, wakingMinutes: number) {
  return db.maybeOne(sql.type(candidateRow)`
    SELECT user_id, search_id, requested_at, shared_topic_ids, score
    FROM match_select_candidate(${user.index + 1}, ${sql.array([...user.topicRanks], 'int4')},
                                ${utcOffsetMinutes(user.tz)}, ${wakingMinutes}, false)`);
}

export interface ComparisonResult {
  sampleUsers: number;
  usersTable: number;
  waitingPool: number;
  sprintMs: { median: number; samples: number[] };
  oursMs: { median: number; samples: number[] };
  /** How many times faster our selection is: sprint median / our median. */
  speedup: number;
  oursFoundCandidate: number;
}

/**
 * Times the sprint's SQL over all users and our selectCandidate over the waiting pool for
 * the same users, one after the other on an otherwise idle service. Both are measured from
 * the client (query sent to rows parsed); ours goes through slonik as in the matcher.
 */
export async function compareWithSprint(
  raw: pg.Pool,
  slonik: DatabasePool,
  sample: readonly BenchUser[],
  wakingMinutes: number,
): Promise<ComparisonResult> {
  const sprint: number[] = [];
  const ours: number[] = [];
  let found = 0;
  const counts = await raw.query<{ users: number; pool: number }>(
    'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM waiting_pool) AS pool',
  );
  // Untimed runs first to warm the caches, and (ours) to get past PL/pgSQL's first five
  // custom plans to the cached plan a long-running matcher uses.
  const warm = sample[0];
  if (warm) {
    await raw.query(SPRINT_CANDIDATE_SQL.replaceAll(':user_id', String(warm.index + 1)));
    for (let i = 0; i < 6; i += 1) await selectCandidate(slonik, warm, wakingMinutes);
  }
  for (const user of sample) {
    const text = SPRINT_CANDIDATE_SQL.replaceAll(':user_id', String(user.index + 1));
    let started = performance.now();
    await raw.query(text);
    sprint.push(performance.now() - started);
    started = performance.now();
    const candidate = await selectCandidate(slonik, user, wakingMinutes);
    ours.push(performance.now() - started);
    if (candidate) found += 1;
  }
  const sprintMedian = median(sprint);
  const oursMedian = median(ours);
  return {
    sampleUsers: sample.length,
    usersTable: counts.rows[0]?.users ?? 0,
    waitingPool: counts.rows[0]?.pool ?? 0,
    sprintMs: { median: round(sprintMedian), samples: sprint.map((ms) => round(ms)) },
    oursMs: { median: round(oursMedian, 3), samples: ours.map((ms) => round(ms, 3)) },
    speedup: round(sprintMedian / oursMedian, 1),
    oursFoundCandidate: found,
  };
}

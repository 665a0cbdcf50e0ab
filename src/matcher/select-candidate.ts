import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const candidateRow = z.object({
  user_id: z.number(),
  search_id: z.string(),
  requested_at: z.date(),
  shared_topic_ids: z.array(z.number()),
  score: z.number(),
});
export type Candidate = z.infer<typeof candidateRow>;

export interface Seeker {
  userId: number;
  topicIds: readonly number[];
  utcOffsetMin: number;
}

/**
 * An intarray query that is true for arrays sharing at least two of `topicIds`:
 * `(1&2)|(1&3)|(2&3)`. The GIN index on waiting_pool.topic_ids answers it directly, so the
 * ">= 2 shared topics" rule filters in the index rather than after it.
 */
export function twoSharedTopicsQuery(topicIds: readonly number[]): string {
  const ids = [...new Set(topicIds)].sort((a, b) => a - b);
  const pairs: string[] = [];
  for (let i = 0; i < ids.length; i += 1) {
    for (let j = i + 1; j < ids.length; j += 1) pairs.push(`(${ids[i]}&${ids[j]})`);
  }
  return pairs.join('|');
}

/**
 * The best waiting partner for `seeker`, by the sprint document's score, oldest request
 * first on ties. Semantics are the sprint document's candidate SQL (>= 2 shared topics, no
 * active cooldown in either direction) plus blocks, run against the waiting pool only.
 * With `lock`, the row comes back locked and rows other matchers hold are skipped.
 */
export function selectCandidate(
  db: CommonQueryMethods,
  seeker: Seeker,
  wakingMinutes: number,
  lock: boolean,
): Promise<Candidate | null> {
  const query = twoSharedTopicsQuery(seeker.topicIds);
  if (!query) return Promise.resolve(null);
  const mine = sql.array([...seeker.topicIds], 'int4');
  return db.maybeOne(sql.type(candidateRow)`
    SELECT w.user_id, w.search_id, w.requested_at,
           sort(w.topic_ids & ${mine}) AS shared_topic_ids,
           (0.6 * least(icount(w.topic_ids & ${mine}) / 5.0, 1)
            + 0.2 * waking_overlap(${seeker.utcOffsetMin}, w.utc_offset_min, ${wakingMinutes})
            + 0.2 * w.helpfulness)::float8 AS score
    FROM waiting_pool w
    WHERE w.topic_ids @@ ${query}::query_int
      AND w.user_id <> ${seeker.userId}
      AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                      WHERE rc.user_id = ${seeker.userId} AND rc.other_id = w.user_id
                        AND rc.until > now())
      AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                      WHERE rc.user_id = w.user_id AND rc.other_id = ${seeker.userId}
                        AND rc.until > now())
      AND NOT EXISTS (SELECT 1 FROM blocks b
                      WHERE b.user_id = ${seeker.userId} AND b.blocked_id = w.user_id)
      AND NOT EXISTS (SELECT 1 FROM blocks b
                      WHERE b.user_id = w.user_id AND b.blocked_id = ${seeker.userId})
    ORDER BY score DESC, w.requested_at ASC
    LIMIT 1
    ${lock ? sql.fragment`FOR UPDATE OF w SKIP LOCKED` : sql.fragment``}`);
}

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
 * `(1&2)|(1&3)|(2&3)`; empty for fewer than two distinct topics. The candidate query states
 * the same rule as "shares a topic pair" (waiting_pool.topic_pairs, migrations/0006), which
 * its GIN index answers faster; this form stays for callers that want the rule as a query.
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
 * active cooldown in either direction) plus blocks, run against the waiting pool only. The
 * query itself is the SQL function match_select_candidate (migrations/0006), which the
 * claim in match_process_search uses too, so there is one definition; PL/pgSQL also keeps
 * its plan between calls. With `lock`, the row comes back locked and rows other matchers
 * hold are skipped.
 */
export function selectCandidate(
  db: CommonQueryMethods,
  seeker: Seeker,
  wakingMinutes: number,
  lock: boolean,
): Promise<Candidate | null> {
  // Fewer than two distinct topics share two with nobody: skip the round trip.
  if (!twoSharedTopicsQuery(seeker.topicIds)) return Promise.resolve(null);
  return db.maybeOne(sql.type(candidateRow)`
    SELECT user_id, search_id, requested_at, shared_topic_ids, score
    FROM match_select_candidate(${seeker.userId}, ${sql.array([...seeker.topicIds], 'int4')},
                                ${seeker.utcOffsetMin}, ${wakingMinutes}, ${lock})`);
}

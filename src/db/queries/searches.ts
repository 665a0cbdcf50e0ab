import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const searchState = z.enum([
  'queued',
  'waiting',
  'proposed',
  'matched',
  'cancelled',
  'expired',
  'ended',
]);
export type SearchState = z.infer<typeof searchState>;
export const OPEN_SEARCH_STATES: readonly SearchState[] = ['queued', 'waiting', 'proposed'];

export const searchRow = z.object({
  id: z.string(),
  user_id: z.number(),
  state: searchState,
  requested_at: z.date(),
  requeue_count: z.number(),
  match_id: z.number().nullable(),
  first_proposed_at: z.date().nullable(),
  queued_at: z.date(),
  ended_at: z.date().nullable(),
  end_reason: z.string().nullable(),
});
export type SearchRow = z.infer<typeof searchRow>;

export function getOpenSearch(db: CommonQueryMethods, userId: number): Promise<SearchRow | null> {
  return db.maybeOne(sql.type(searchRow)`
    SELECT * FROM searches
    WHERE user_id = ${userId} AND state IN ('queued', 'waiting', 'proposed')`);
}

/**
 * Puts the search that `matchId` held back in the queue, keeping its place (requested_at).
 * Returns the search to re-announce on match.find, or null when it is no longer held by
 * that proposal (the user cancelled, or it was already requeued and matched again). Safe to
 * repeat: a second run returns the same row without counting the requeue twice.
 */
export function requeueSearch(
  db: CommonQueryMethods,
  matchId: number,
  userId: number,
  countsTowardLimit: boolean,
): Promise<RequeuedSearch | null> {
  const increment = countsTowardLimit ? 1 : 0;
  return db.maybeOne(sql.type(requeuedSearch)`
    UPDATE searches s SET
      state = 'queued',
      queued_at = now(),
      requeue_count = CASE WHEN s.state = 'proposed' THEN s.requeue_count + ${increment}
                           ELSE s.requeue_count END
    FROM users u
    WHERE s.user_id = ${userId} AND s.match_id = ${matchId} AND s.state IN ('proposed', 'queued')
      AND u.id = s.user_id AND u.deleted_at IS NULL
    RETURNING s.*, u.tz,
      array(SELECT topic_id FROM user_topics WHERE user_id = s.user_id ORDER BY topic_id)
        AS topic_ids`);
}

/** A requeued search with what its match.find entry announces. */
const requeuedSearch = searchRow.extend({ tz: z.string(), topic_ids: z.array(z.number()) });
export type RequeuedSearch = z.infer<typeof requeuedSearch>;

/** Ends the search that `matchId` held; does nothing if it is no longer held by it. */
export async function endSearchOfMatch(
  db: CommonQueryMethods,
  matchId: number,
  userId: number,
  reason: string,
): Promise<boolean> {
  const result = await db.query(sql.unsafe`
    UPDATE searches SET state = 'ended', ended_at = now(), end_reason = ${reason}
    WHERE user_id = ${userId} AND match_id = ${matchId} AND state = 'proposed'`);
  return result.rowCount > 0;
}

/**
 * Takes a user out of matching: their waiting-pool row goes and an open (queued or waiting)
 * search ends with `reason`. The pool row is deleted again after the search is locked,
 * because a matcher holding that search may have just added it; a claim in flight skips a
 * pool row whose search has ended.
 */
export async function withdrawFromMatching(
  tx: CommonQueryMethods,
  userId: number,
  reason: string,
): Promise<void> {
  await tx.query(sql.unsafe`DELETE FROM waiting_pool WHERE user_id = ${userId}`);
  await tx.query(sql.unsafe`
    UPDATE searches SET state = 'cancelled', ended_at = now(), end_reason = ${reason}
    WHERE user_id = ${userId} AND state IN ('queued', 'waiting')`);
  await tx.query(sql.unsafe`DELETE FROM waiting_pool WHERE user_id = ${userId}`);
}

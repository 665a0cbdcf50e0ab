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

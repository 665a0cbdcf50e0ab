import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const matchStatus = z.enum(['proposed', 'active', 'declined', 'expired']);
export type MatchStatus = z.infer<typeof matchStatus>;

export const matchRow = z.object({
  id: z.number(),
  user_a: z.number(),
  user_b: z.number(),
  search_a: z.string().nullable(),
  search_b: z.string().nullable(),
  status: matchStatus,
  score: z.number(),
  shared_count: z.number(),
  shared_topic_ids: z.array(z.number()),
  created_at: z.date(),
  expires_at: z.date(),
  decided_at: z.date().nullable(),
  accepted_a_at: z.date().nullable(),
  accepted_b_at: z.date().nullable(),
  declined_by: z.number().nullable(),
  requeue_count: z.number(),
});
export type MatchRow = z.infer<typeof matchRow>;

/** The match, or null when there is no such id. */
export function getMatch(db: CommonQueryMethods, matchId: number): Promise<MatchRow | null> {
  return db.maybeOne(sql.type(matchRow)`SELECT * FROM matches WHERE id = ${matchId}`);
}

/** Remembers who accepted, so a proposal rebuilt after a Redis loss keeps that fact. */
export async function recordAcceptance(
  db: CommonQueryMethods,
  matchId: number,
  userId: number,
): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE matches SET
      accepted_a_at = CASE WHEN user_a = ${userId} THEN coalesce(accepted_a_at, now()) ELSE accepted_a_at END,
      accepted_b_at = CASE WHEN user_b = ${userId} THEN coalesce(accepted_b_at, now()) ELSE accepted_b_at END
    WHERE id = ${matchId}`);
}

/**
 * Whether `userId` got a search proposal created within `withinMs` after match `matchId` was
 * decided. The card of such a proposal says that the previous person skipped (its recipient
 * row's since_partner_skipped_ms is at most `withinMs`), so the old card's "skipped" edit,
 * held that long, is not needed: both sides read the same rows, so exactly one of them says
 * it. A proposal whose transaction commits only after this look says it twice, never not at all.
 */
export async function hasProposalSoonAfter(
  db: CommonQueryMethods,
  userId: number,
  matchId: number,
  withinMs: number,
): Promise<boolean> {
  return db.oneFirst(sql.type(z.object({ found: z.boolean() }))`
    SELECT EXISTS (
      SELECT 1 FROM matches pm JOIN matches m
        ON ${userId} IN (m.user_a, m.user_b) AND m.kind = 'search'
       AND m.created_at > pm.decided_at
       AND m.created_at <= pm.decided_at + make_interval(secs => ${withinMs}::float8 / 1000)
      WHERE pm.id = ${matchId}) AS found`);
}

/**
 * Ends a proposal that did not become a chat and frees both users. Idempotent: a second call
 * finds the match already decided and changes nothing.
 */
export async function closeMatch(
  db: CommonQueryMethods,
  matchId: number,
  status: 'declined' | 'expired',
  declinedBy: number | null,
): Promise<void> {
  // One statement, so one transaction in one round trip.
  await db.query(sql.unsafe`
    WITH closed AS (
      UPDATE matches SET status = ${status}, decided_at = now(), declined_by = ${declinedBy}
      WHERE id = ${matchId} AND status = 'proposed'
      RETURNING id)
    DELETE FROM engagements WHERE match_id = ${matchId}`);
}

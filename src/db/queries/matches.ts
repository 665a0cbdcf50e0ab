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
 * Settles how `userId` learns that the partner skipped match `matchId`, once its held edit is
 * due: 'dropped' when their next proposal is a search proposal (its card says it: see
 * match_follows_partner_skip, which reads the same pair of matches from the other side), else
 * 'edit'. The first answer is kept: a retried release, even one running at the same time,
 * gets the same one (the row lock makes the second update see the first's value). A card read
 * in the instant before this commits may say it too.
 */
export async function settleSkipNotice(
  db: CommonQueryMethods,
  userId: number,
  matchId: number,
): Promise<'edit' | 'dropped'> {
  const notice = await db.maybeOneFirst(sql.type(
    z.object({ skip_notice: z.enum(['edit', 'dropped']) }),
  )`
    WITH next AS (
      SELECT kind FROM (
        (SELECT id, kind FROM matches WHERE user_a = ${userId} AND id > ${matchId}
         ORDER BY id LIMIT 1)
        UNION ALL
        (SELECT id, kind FROM matches WHERE user_b = ${userId} AND id > ${matchId}
         ORDER BY id LIMIT 1)) n
      ORDER BY id LIMIT 1)
    UPDATE matches
    SET skip_notice = coalesce(skip_notice,
      CASE WHEN (SELECT kind FROM next) = 'search' THEN 'dropped' ELSE 'edit' END)
    WHERE id = ${matchId}
    RETURNING skip_notice`);
  // A match erased meanwhile: the edit finds no message and changes nothing.
  return notice ?? 'edit';
}

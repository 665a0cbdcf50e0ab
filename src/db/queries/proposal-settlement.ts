import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/**
 * What a decided proposal changes in PostgreSQL (src/db/functions/proposal_settle.sql). Any
 * part may be left out: the parts of a decision go together in one call, and each also runs
 * alone when its effect is retried.
 */
export interface ProposalSettlement {
  /** Closes the match and frees both users. */
  close?: { status: 'declined' | 'expired'; declinedBy: number | null };
  /** Keeps the pair apart for `hours`, in both directions; a longer cooldown is kept. */
  coolDown?: { userA: number; userB: number; hours: number };
  /** Each person's search: requeued ('requeue', 'requeue_expired') or ended with the outcome. */
  searches?: readonly { userId: number; outcome: string }[];
}

/** A requeued search with what its match.find entry announces. */
const requeuedSearch = z.object({
  id: z.string(),
  user_id: z.number(),
  requested_at: z.date(),
  tz: z.string(),
  topic_ids: z.array(z.number()),
});
export type RequeuedSearch = z.infer<typeof requeuedSearch>;

/**
 * Applies `settlement` to match `matchId` in one statement. Returns the searches it put back
 * in the queue (again on a repeated call, which changes nothing else), to re-announce.
 */
export function settleProposal(
  db: CommonQueryMethods,
  matchId: number,
  settlement: ProposalSettlement,
): Promise<readonly RequeuedSearch[]> {
  const { close, coolDown, searches = [] } = settlement;
  const pair = coolDown ? [coolDown.userA, coolDown.userB] : [];
  return db.any(sql.type(requeuedSearch)`
    SELECT * FROM proposal_settle(
      ${matchId}, ${close?.status ?? null}, ${close?.declinedBy ?? null},
      ${sql.array(pair, 'int8')}, ${(coolDown?.hours ?? 0) * 3600},
      ${sql.array(
        searches.map((search) => search.userId),
        'int8',
      )},
      ${sql.array(
        searches.map((search) => search.outcome),
        'text',
      )})`);
}

import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { ProposalContext } from '../../machines/proposal.machine.js';
import { matchStatus, type MatchStatus } from '../db/queries/matches.js';

/** A proposal as PostgreSQL records it: enough to rebuild its actor. */
export interface DurableProposal {
  status: MatchStatus;
  context: ProposalContext;
}

const row = z.object({
  id: z.number(),
  user_a: z.number(),
  user_b: z.number(),
  status: matchStatus,
  expires_at: z.date(),
  accepted_a: z.boolean(),
  accepted_b: z.boolean(),
  declined_by: z.number().nullable(),
  requeues_a: z.number(),
  requeues_b: z.number(),
});

/** Reads a match and its two searches' requeue counts; null for an unknown id. */
export async function loadDurableProposal(
  db: CommonQueryMethods,
  matchId: number,
  maxRequeues: number,
): Promise<DurableProposal | null> {
  const found = await db.maybeOne(sql.type(row)`
    SELECT m.id, m.user_a, m.user_b, m.status, m.expires_at, m.declined_by,
           m.accepted_a_at IS NOT NULL AS accepted_a,
           m.accepted_b_at IS NOT NULL AS accepted_b,
           coalesce(sa.requeue_count, 0)::int AS requeues_a,
           coalesce(sb.requeue_count, 0)::int AS requeues_b
    FROM matches m
    LEFT JOIN searches sa ON sa.id = m.search_a
    LEFT JOIN searches sb ON sb.id = m.search_b
    WHERE m.id = ${matchId}`);
  if (!found) return null;
  return {
    status: found.status,
    context: {
      matchId: found.id,
      userA: found.user_a,
      userB: found.user_b,
      acceptedA: found.accepted_a,
      acceptedB: found.accepted_b,
      requeuesA: found.requeues_a,
      requeuesB: found.requeues_b,
      maxRequeues,
      expiresAt: found.expires_at.getTime(),
      declinedBy: found.declined_by,
    },
  };
}

import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const chatSessionRow = z.object({
  id: z.number(),
  match_id: z.number(),
  user_a: z.number(),
  user_b: z.number(),
  started_at: z.date(),
  last_activity_at: z.date(),
  ended_at: z.date().nullable(),
  ended_by: z.number().nullable(),
  end_reason: z.enum(['user', 'idle', 'report', 'block', 'deleted']).nullable(),
});
export type ChatSessionRow = z.infer<typeof chatSessionRow>;
export type ChatEndReason = NonNullable<ChatSessionRow['end_reason']>;

/**
 * Turns a confirmed proposal into a chat: the match becomes active, both users' searches
 * end as matched, their engagement becomes a chat, and the session row appears. One
 * transaction; running it again changes nothing.
 */
export async function startChatSession(
  db: CommonQueryMethods,
  matchId: number,
): Promise<ChatSessionRow | null> {
  // One statement (one transaction, one round trip). Its parts see the table as it was when
  // it began, so the session comes from the INSERT when this call created it and from the
  // table when an earlier call did.
  return db.maybeOne(sql.type(chatSessionRow)`
    WITH activated AS (
      UPDATE matches SET status = 'active', decided_at = now()
      WHERE id = ${matchId} AND status = 'proposed'
      RETURNING id, user_a, user_b),
    created AS (
      INSERT INTO chat_sessions (match_id, user_a, user_b)
      SELECT id, user_a, user_b FROM activated
      ON CONFLICT (match_id) DO NOTHING
      RETURNING *),
    engaged AS (
      UPDATE engagements SET kind = 'chat' WHERE match_id = ${matchId} RETURNING 1),
    matched AS (
      -- Found through the two users (an index), not match_id alone, which no index covers:
      -- that read every open search, thousands with a full waiting pool, per chat.
      UPDATE searches s SET state = 'matched', ended_at = now(), end_reason = 'matched'
      FROM matches m
      WHERE m.id = ${matchId} AND s.user_id IN (m.user_a, m.user_b)
        AND s.match_id = ${matchId} AND s.state = 'proposed'
      RETURNING 1)
    SELECT * FROM created
    UNION ALL
    SELECT * FROM chat_sessions WHERE match_id = ${matchId}
    LIMIT 1`);
}

export function getChatByMatch(
  db: CommonQueryMethods,
  matchId: number,
): Promise<ChatSessionRow | null> {
  return db.maybeOne(
    sql.type(chatSessionRow)`SELECT * FROM chat_sessions WHERE match_id = ${matchId}`,
  );
}

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
  return db.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      UPDATE matches SET status = 'active', decided_at = now()
      WHERE id = ${matchId} AND status = 'proposed'`);
    await tx.query(sql.unsafe`
      INSERT INTO chat_sessions (match_id, user_a, user_b)
      SELECT id, user_a, user_b FROM matches WHERE id = ${matchId} AND status = 'active'
      ON CONFLICT (match_id) DO NOTHING`);
    await tx.query(sql.unsafe`
      UPDATE engagements SET kind = 'chat' WHERE match_id = ${matchId}`);
    await tx.query(sql.unsafe`
      UPDATE searches SET state = 'matched', ended_at = now(), end_reason = 'matched'
      WHERE match_id = ${matchId} AND state = 'proposed'`);
    return tx.maybeOne(
      sql.type(chatSessionRow)`SELECT * FROM chat_sessions WHERE match_id = ${matchId}`,
    );
  });
}

export function getChatByMatch(
  db: CommonQueryMethods,
  matchId: number,
): Promise<ChatSessionRow | null> {
  return db.maybeOne(
    sql.type(chatSessionRow)`SELECT * FROM chat_sessions WHERE match_id = ${matchId}`,
  );
}

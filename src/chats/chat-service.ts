import { DelayedError, type Job } from 'bullmq';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Notifier } from '../notifications/notifier.js';
import {
  chatSessionRow,
  type ChatEndReason,
  type ChatSessionRow,
} from '../db/queries/chat-sessions.js';
import { createChatRatings } from './chat-ratings.js';
import type { ChatIdleData, ChatTimers } from './chat-timers.js';

export interface ChatServiceDeps {
  db: DatabasePool;
  notifier: Notifier;
  timers: ChatTimers;
  idleMs: number;
  now?: () => number;
}

export interface ActiveChat {
  session: ChatSessionRow;
  partnerId: number;
  /** The partner's Telegram chat, or null once they deleted their account. */
  partnerChatId: number | null;
}

const sessionWithPartner = chatSessionRow.extend({ partner_tg_id: z.number().nullable() });
const openChat = z.object({ match_id: z.number(), user_a: z.number(), user_b: z.number() });

/** How a chat's end reads to `userId`: ended by them, by their partner, idle, or for safety. */
function endedBy(reason: ChatEndReason, by: number | null, userId: number) {
  if (reason === 'idle') return 'idle';
  if (reason === 'user') return by === userId ? 'you' : 'partner';
  return 'safety';
}

/** Chat sessions after a proposal is confirmed: who talks to whom, ending, idle timeout, ratings. */
export function createChatService(deps: ChatServiceDeps) {
  const { db, notifier } = deps;
  const now = deps.now ?? Date.now;
  const partnerOf = (session: ChatSessionRow, userId: number) =>
    session.user_a === userId ? session.user_b : session.user_a;

  const toChat = (row: z.infer<typeof sessionWithPartner>, userId: number): ActiveChat => {
    const { partner_tg_id: partnerChatId, ...session } = row;
    return { session, partnerId: partnerOf(session, userId), partnerChatId };
  };

  /** Every open chat, in pages ordered by match id (stable while chats open and end). */
  async function* openChatPages(pageSize: number) {
    let after = 0;
    for (;;) {
      const page = await db.any(sql.type(openChat)`
        SELECT match_id, user_a, user_b FROM chat_sessions
        WHERE ended_at IS NULL AND match_id > ${after}
        ORDER BY match_id LIMIT ${pageSize}`);
      if (page.length) yield page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.match_id;
    }
  }

  async function activeChatOf(userId: number): Promise<ActiveChat | null> {
    const row = await db.maybeOne(sql.type(sessionWithPartner)`
      SELECT c.*, p.tg_id AS partner_tg_id
      FROM engagements e
      JOIN chat_sessions c ON c.match_id = e.match_id
      JOIN users p ON p.id = CASE WHEN c.user_a = ${userId} THEN c.user_b ELSE c.user_a END
      WHERE e.user_id = ${userId} AND e.kind = 'chat' AND c.ended_at IS NULL`);
    return row ? toChat(row, userId) : null;
  }

  /**
   * Ends a chat for both users and asks each for a rating. Idempotent: only the call that
   * actually ends it notifies anyone. `by` is the user who ended it, if a user did.
   */
  async function endChat(
    matchId: number,
    by: number | null,
    reason: ChatEndReason,
  ): Promise<boolean> {
    const ended = await db.transaction(async (tx) => {
      const session = await tx.maybeOne(sql.type(chatSessionRow)`
        UPDATE chat_sessions SET ended_at = now(), ended_by = ${by}, end_reason = ${reason}
        WHERE match_id = ${matchId} AND ended_at IS NULL
        RETURNING *`);
      await tx.query(sql.unsafe`DELETE FROM engagements WHERE match_id = ${matchId}`);
      return session;
    });
    if (!ended) return false;
    await deps.timers.cancel(matchId).catch(() => undefined);
    for (const userId of [ended.user_a, ended.user_b]) {
      // An erased user's chat is not rated: one side is gone, the other did not choose to end.
      await notifier.notify(userId, {
        kind: 'chat.ended',
        matchId,
        by: endedBy(reason, by, userId),
        rate: reason !== 'deleted',
      });
    }
    return true;
  }

  return {
    ...createChatRatings(db),
    activeChatOf,
    endChat,

    /** Marks the chat active; written at most once a minute per chat to keep relays cheap. */
    async touch(matchId: number): Promise<void> {
      await db.query(sql.unsafe`
        UPDATE chat_sessions SET last_activity_at = now()
        WHERE match_id = ${matchId} AND ended_at IS NULL
          AND last_activity_at < now() - interval '1 minute'`);
    },

    /** The partner of the user's most recent chat (running or ended), for /block and /report. */
    async lastChatOf(userId: number): Promise<ActiveChat | null> {
      const row = await db.maybeOne(sql.type(sessionWithPartner)`
        SELECT c.*, p.tg_id AS partner_tg_id
        FROM chat_sessions c
        JOIN users p ON p.id = CASE WHEN c.user_a = ${userId} THEN c.user_b ELSE c.user_a END
        WHERE c.user_a = ${userId} OR c.user_b = ${userId}
        ORDER BY c.started_at DESC LIMIT 1`);
      return row ? toChat(row, userId) : null;
    },

    /** The chat-timers job handler: ends a chat idle for longer than the limit. */
    async processIdle(job: Job<ChatIdleData>, token?: string): Promise<string> {
      const session = await db.maybeOne(sql.type(chatSessionRow)`
        SELECT * FROM chat_sessions WHERE match_id = ${job.data.matchId}`);
      if (!session || session.ended_at) return 'gone';
      const idleAt = session.last_activity_at.getTime() + deps.idleMs;
      if (now() < idleAt) {
        await job.moveToDelayed(idleAt, token);
        throw new DelayedError();
      }
      await endChat(session.match_id, null, 'idle');
      return 'ended';
    },

    /** Chats with no idle timer (lost with Redis) get one again; used by the reconciler. */
    async rearmIdleTimers(limit = 500): Promise<number> {
      const open = await db.anyFirst(sql.type(z.object({ match_id: z.number() }))`
        SELECT match_id FROM chat_sessions WHERE ended_at IS NULL
        ORDER BY last_activity_at LIMIT ${limit}`);
      for (const matchId of open) await deps.timers.scheduleIdleCheck(matchId, now() + deps.idleMs);
      return open.length;
    },

    /**
     * Every open chat gets its idle timer again, a page at a time, after Redis lost them all
     * (the regular sweep above covers only the longest idle). An existing timer stays as is.
     */
    async rearmAllIdleTimers(pageSize = 500): Promise<number> {
      let count = 0;
      for await (const page of openChatPages(pageSize)) {
        for (const chat of page) {
          await deps.timers.scheduleIdleCheck(chat.match_id, now() + deps.idleMs);
        }
        count += page.length;
      }
      return count;
    },

    /**
     * Queues again the intro of every open chat where it never arrived: after Redis lost
     * the outbound queue, someone whose chat had just started would otherwise not know it.
     * Delivered messages are not sent again. Returns the number of chats checked.
     */
    async resendIntros(pageSize = 500): Promise<number> {
      let count = 0;
      for await (const page of openChatPages(pageSize)) {
        for (const chat of page) {
          for (const [userId, partnerId] of [
            [chat.user_a, chat.user_b],
            [chat.user_b, chat.user_a],
          ] as const) {
            await notifier.notify(
              userId,
              { kind: 'chat.started', matchId: chat.match_id, partnerId },
              { onlyUndelivered: true },
            );
          }
        }
        count += page.length;
      }
      return count;
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;

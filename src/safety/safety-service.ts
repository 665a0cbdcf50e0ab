import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { withdrawFromMatching } from '../db/queries/searches.js';
import type { ChatService } from '../chats/chat-service.js';
import type { ErasedUser } from '../erasure/user-data.js';

export interface SafetyServiceDeps {
  db: DatabasePool;
  chats: ChatService;
  /** Reports from this many different users suspend someone from matching. */
  suspendThreshold: number;
  /** A reporter with this many dismissed reports no longer counts towards a suspension. */
  falseReportLimit: number;
}

/** /block and /report: the pair never meets again; repeated reports suspend the reported user. */
export function createSafetyService(deps: SafetyServiceDeps) {
  const { db, chats } = deps;

  async function block(userId: number, otherId: number): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO blocks (user_id, blocked_id) VALUES (${userId}, ${otherId})
      ON CONFLICT DO NOTHING`);
    // A block ends "chat again" between the two (their saved pair).
    await db.query(sql.unsafe`
      DELETE FROM again_pairs
      WHERE user_low = least(${userId}, ${otherId})::bigint
        AND user_high = greatest(${userId}, ${otherId})::bigint`);
  }

  /** Takes a user out of matching: their open search ends and they leave the waiting pool. */
  async function suspend(userId: number): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.query(sql.unsafe`
        UPDATE users SET suspended_at = coalesce(suspended_at, now()) WHERE id = ${userId}`);
      await withdrawFromMatching(tx, userId, 'suspended');
    });
  }

  return {
    /**
     * Blocks the partner of the user's current or most recent chat, ending the chat if it runs.
     * @throws AppError not_found when the user has had no chat.
     */
    async blockLastPartner(userId: number): Promise<number> {
      const chat = await chats.lastChatOf(userId);
      if (!chat) throw new AppError('not_found', 'no recent chat');
      await block(userId, chat.partnerId);
      if (!chat.session.ended_at) await chats.endChat(chat.session.match_id, userId, 'block');
      return chat.partnerId;
    },

    /**
     * Reports the partner of the current or most recent chat: stores the report, ends the
     * chat, blocks the pair, and suspends the reported user once enough different people
     * have reported them. Reporting the same chat twice counts once.
     * @throws AppError not_found when the user has had no chat.
     */
    async reportLastPartner(
      userId: number,
      reason: string,
    ): Promise<{ suspended: boolean; reportId: number | null }> {
      const chat = await chats.lastChatOf(userId);
      if (!chat) throw new AppError('not_found', 'no recent chat');
      const text = reason.trim().slice(0, 1000) || '—';
      // The id only when this call filed it: a repeated report reaches the operators once.
      const reportId = await db.maybeOneFirst(sql.type(z.object({ id: z.number() }))`
        INSERT INTO reports (reporter_id, reported_id, match_id, reason)
        VALUES (${userId}, ${chat.partnerId}, ${chat.session.match_id}, ${text})
        ON CONFLICT (reporter_id, match_id) DO NOTHING
        RETURNING id`);
      await block(userId, chat.partnerId);
      if (!chat.session.ended_at) await chats.endChat(chat.session.match_id, userId, 'report');
      // Dismissed and cleared reports do not count, nor do those of a reporter whose reports
      // operators have dismissed FALSE_REPORT_LIMIT times: false reporting counts against them.
      const reporters = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(DISTINCT r.reporter_id)::int AS n FROM reports r
        WHERE r.reported_id = ${chat.partnerId} AND r.created_at > now() - interval '30 days'
          AND r.status IN ('open', 'upheld')
          AND (SELECT count(*) FROM reports d
               WHERE d.reporter_id = r.reporter_id AND d.status = 'dismissed')
              < ${deps.falseReportLimit}`);
      if (reporters < deps.suspendThreshold) return { suspended: false, reportId };
      await suspend(chat.partnerId);
      return { suspended: true, reportId };
    },

    suspend,

    /**
     * An erased user's blocks go, both ways. Reports they filed stay (they protect others)
     * but no longer say who filed them.
     */
    async forgetUserRows(tx: CommonQueryMethods, user: ErasedUser): Promise<void> {
      await tx.query(
        sql.unsafe`DELETE FROM blocks WHERE user_id = ${user.id} OR blocked_id = ${user.id}`,
      );
      await tx.query(
        sql.unsafe`UPDATE reports SET reporter_id = NULL WHERE reporter_id = ${user.id}`,
      );
    },
  };
}

export type SafetyService = ReturnType<typeof createSafetyService>;

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis/keys.js';
import { getUser } from '../db/queries/users.js';
import { withdrawFromMatching } from '../db/queries/searches.js';
import type { ChatService } from '../chats/chat-service.js';
import type { OutboundMessage } from '../outbound/outbound-message.js';
import type { ProposalRuntime } from '../proposals/proposal-runtime.js';
import type { ProposalStore } from '../proposals/proposal-store.js';

export interface AccountServiceDeps {
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  runtime: ProposalRuntime;
  store: ProposalStore;
  chats: ChatService;
  outboundQueue: Queue<OutboundMessage>;
  log: Logger;
}

const engagement = z.object({ match_id: z.number(), kind: z.enum(['proposal', 'chat']) });

/**
 * /delete: erases a user everywhere. An open proposal is declined and an open chat ended
 * first, so the other person is told and goes on. PostgreSQL keeps an anonymous user row
 * only because matches and reports (statistics, safety) point at it.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { db, redis, keys, log } = deps;

  async function endOpenEngagement(userId: number): Promise<void> {
    const open = await db.maybeOne(sql.type(engagement)`
      SELECT match_id, kind FROM engagements WHERE user_id = ${userId}`);
    if (!open) return;
    if (open.kind === 'proposal') {
      await deps.runtime.send(open.match_id, { type: 'proposal.decline', userId });
    } else {
      await deps.chats.endChat(open.match_id, null, 'deleted');
    }
  }

  async function erasePostgres(userId: number, tgId: number | null): Promise<number[]> {
    return db.transaction(async (tx) => {
      await withdrawFromMatching(tx, userId, 'deleted');
      await tx.query(sql.unsafe`DELETE FROM engagements WHERE user_id = ${userId}`);
      await tx.query(sql.unsafe`
        UPDATE searches SET state = 'cancelled', ended_at = now(), end_reason = 'deleted'
        WHERE user_id = ${userId} AND state IN ('queued', 'waiting', 'proposed')`);
      await tx.query(sql.unsafe`DELETE FROM user_topics WHERE user_id = ${userId}`);
      await tx.query(
        sql.unsafe`DELETE FROM blocks WHERE user_id = ${userId} OR blocked_id = ${userId}`,
      );
      await tx.query(sql.unsafe`
        DELETE FROM recent_contacts WHERE user_id = ${userId} OR other_id = ${userId}`);
      await tx.query(sql.unsafe`DELETE FROM feedback WHERE user_id = ${userId}`);
      // Reports they filed stay (they protect others) but no longer say who filed them.
      await tx.query(
        sql.unsafe`UPDATE reports SET reporter_id = NULL WHERE reporter_id = ${userId}`,
      );
      if (tgId !== null) {
        await tx.query(sql.unsafe`DELETE FROM delivered_messages WHERE chat_id = ${tgId}`);
      }
      await tx.query(sql.unsafe`
        UPDATE users SET tg_id = NULL, first_name = 'deleted', username = NULL,
               rules_accepted_at = NULL, helpfulness = 0.5, deleted_at = now()
        WHERE id = ${userId}`);
      const matches = await tx.anyFirst(sql.type(z.object({ id: z.number() }))`
        SELECT id FROM matches WHERE user_a = ${userId} OR user_b = ${userId}`);
      return [...matches];
    });
  }

  async function eraseStreamEntries(userId: number): Promise<void> {
    let start = '-';
    for (;;) {
      const page = (await redis.xrange(keys.matchFind, start, '+', 'COUNT', 1000)) as [
        string,
        string[],
      ][];
      const mine = page
        .filter(([, fields]) => fields[fields.indexOf('user_id') + 1] === String(userId))
        .map(([id]) => id);
      if (mine.length) await redis.xdel(keys.matchFind, ...mine);
      if (page.length < 1000) return;
      start = `(${page.at(-1)![0]}`;
    }
  }

  async function eraseQueuedMessages(tgId: number): Promise<void> {
    // Finished jobs too: they keep the chat id and the text for a while after sending.
    const jobs = await deps.outboundQueue.getJobs([
      'waiting',
      'delayed',
      'prioritized',
      'paused',
      'completed',
      'failed',
    ]);
    for (const job of jobs) {
      if (job?.data.chatId === tgId) await job.remove().catch(() => undefined);
    }
  }

  return {
    /**
     * The user blocked the bot (a 403, or Telegram's my_chat_member update): nothing can
     * reach them, so they leave the waiting pool, their search ends, and an open chat ends so
     * the partner is not left writing into the void. /start makes them active again.
     */
    async markBotBlocked(userId: number): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(sql.unsafe`
          UPDATE users SET bot_blocked_at = coalesce(bot_blocked_at, now()) WHERE id = ${userId}`);
        await withdrawFromMatching(tx, userId, 'bot_blocked');
      });
      const chat = await deps.chats.activeChatOf(userId);
      if (chat) await deps.chats.endChat(chat.session.match_id, userId, 'user');
    },

    /** Idempotent: erasing an erased or unknown user does nothing; a half-done one resumes. */
    async erase(userId: number): Promise<void> {
      const user = await getUser(db, userId);
      if (!user || (user.deleted_at && user.tg_id === null)) return;
      // Marked first: from here on no matcher claims them (a declined proposal requeues its
      // searches) and no notice is rendered for them.
      await db.query(sql.unsafe`
        UPDATE users SET deleted_at = coalesce(deleted_at, now()) WHERE id = ${userId}`);
      await endOpenEngagement(userId);
      const matchIds = await erasePostgres(userId, user.tg_id);
      await eraseStreamEntries(userId);
      if (user.tg_id !== null) {
        await eraseQueuedMessages(user.tg_id);
        await redis.unlink(
          keys.conversation(user.tg_id),
          keys.chatSlot(user.tg_id),
          keys.rateLimit('cmd', user.tg_id),
          keys.rateLimit('find', user.tg_id),
          keys.relayOrigin(user.tg_id),
        );
      }
      // Snapshots of their proposals; decided ones only, since pending effects of a proposal
      // that just ended (the partner's notices) must still run.
      for (const matchId of matchIds) {
        const record = await deps.store.load(matchId);
        if (record && record.pendingEffects.length === 0) await deps.store.remove(matchId);
      }
      log.info({ userId }, 'user erased');
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

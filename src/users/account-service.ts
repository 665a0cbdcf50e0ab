import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { getUser } from '../db/queries/users.js';
import { withdrawFromMatching } from '../db/queries/searches.js';
import type { ChatService } from '../chats/chat-service.js';
import type { ProposalRuntime } from '../proposals/proposal-runtime.js';
import type { ErasedUser, UserDataOwner } from '../erasure/user-data.js';

export interface AccountServiceDeps {
  db: DatabasePool;
  runtime: ProposalRuntime;
  chats: ChatService;
  /** Every other module that keeps data about users; each erases its own. */
  owners: readonly UserDataOwner[];
  log: Logger;
}

const engagement = z.object({ match_id: z.number(), kind: z.enum(['proposal', 'chat']) });

/** The user's own rows: their topics go, the user row stays anonymous. */
async function forgetProfile(tx: CommonQueryMethods, user: ErasedUser): Promise<void> {
  await tx.query(sql.unsafe`DELETE FROM user_topics WHERE user_id = ${user.id}`);
  await tx.query(sql.unsafe`
    UPDATE users SET tg_id = NULL, first_name = 'deleted', username = NULL,
           rules_accepted_at = NULL, helpfulness = 0.5, deleted_at = now()
    WHERE id = ${user.id}`);
}

/**
 * /delete: erases a user everywhere. An open proposal is declined and an open chat ended
 * first, so the other person is told and goes on. PostgreSQL keeps an anonymous user row
 * only because matches and reports (statistics, safety) point at it.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { db, log } = deps;

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
      const found = await getUser(db, userId);
      if (!found || (found.deleted_at && found.tg_id === null)) return;
      // Marked first: from here on no matcher claims them (a declined proposal requeues its
      // searches) and no notice is rendered for them.
      await db.query(sql.unsafe`
        UPDATE users SET deleted_at = coalesce(deleted_at, now()) WHERE id = ${userId}`);
      await endOpenEngagement(userId);
      const user: ErasedUser = { id: userId, tgId: found.tg_id };
      await db.transaction(async (tx) => {
        for (const owner of deps.owners) await owner.forgetUserRows?.(tx, user);
        await forgetProfile(tx, user);
      });
      for (const owner of deps.owners) await owner.forgetUser?.(user);
      log.info({ userId }, 'user erased');
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { ErasedUser } from '../erasure/user-data.js';
import type { Notifier } from '../notifications/notifier.js';

export interface ContactExchangeDeps {
  db: DatabasePool;
  notifier: Notifier;
  /** How long after a chat ends its people may still ask to exchange contacts. */
  windowHours: number;
  /** Presses after which a withdrawn request cannot be made again (no nagging the partner). */
  maxRounds?: number;
}

/** What a press of "Exchange contacts" did. */
export type ContactRequestOutcome =
  /** Nothing revealed yet: the partner was told someone would like to exchange contacts. */
  | { kind: 'requested'; matchId: number }
  /** The press was standing already; the partner was (re)told. */
  | { kind: 'already'; matchId: number }
  /** Both have pressed: each was sent the other's contact. */
  | { kind: 'revealed'; matchId: number }
  /** No chat to exchange contacts for. */
  | { kind: 'none' }
  /** Too late, or the chat ended for safety, or one side blocked or left. */
  | { kind: 'closed'; matchId: number }
  /** Withdrawn too often: asking again would only nag the partner. */
  | { kind: 'limit'; matchId: number };

export type ContactWithdrawOutcome = 'withdrawn' | 'revealed' | 'none';

const chatRow = z.object({
  match_id: z.number(),
  partner_id: z.number(),
  open: z.boolean(),
});
const requestRow = z.object({
  user_id: z.number(),
  round: z.number(),
  withdrawn: z.boolean(),
  revealed: z.boolean(),
});
const contactRow = z.object({
  id: z.number(),
  first_name: z.string(),
  tg_id: z.number(),
  username: z.string().nullable(),
});

/**
 * Mutual contact reveal: during a chat or within `windowHours` after it, either person may
 * press "Exchange contacts". Nothing identifying is sent until both have a standing press;
 * a press can be withdrawn until then. PostgreSQL decides under a lock on the chat's row, so
 * two presses at once reveal exactly once. Notices are keyed per round, so a retried press
 * re-sends what may have been lost and never a second copy.
 */
export function createContactExchange(deps: ContactExchangeDeps) {
  const { db, notifier } = deps;
  const maxRounds = deps.maxRounds ?? 3;

  /** The chat (the given one, or the user's latest) locked, if it still allows an exchange. */
  async function lockChat(tx: CommonQueryMethods, userId: number, matchId: number | null) {
    return tx.maybeOne(sql.type(chatRow)`
      SELECT c.match_id,
             CASE WHEN c.user_a = ${userId} THEN c.user_b ELSE c.user_a END AS partner_id,
             (c.ended_at IS NULL
                OR (c.ended_at > now() - ${deps.windowHours}::float8 * interval '1 hour'
                    AND c.end_reason IN ('user', 'idle')))
             AND NOT EXISTS (SELECT 1 FROM blocks b
                             WHERE (b.user_id = c.user_a AND b.blocked_id = c.user_b)
                                OR (b.user_id = c.user_b AND b.blocked_id = c.user_a))
             AND NOT EXISTS (SELECT 1 FROM users p
                             WHERE p.id IN (c.user_a, c.user_b)
                               AND (p.deleted_at IS NOT NULL OR p.tg_id IS NULL))
               AS open
      FROM chat_sessions c
      WHERE (c.user_a = ${userId} OR c.user_b = ${userId})
        AND (${matchId}::bigint IS NULL OR c.match_id = ${matchId}::bigint)
      ORDER BY c.started_at DESC LIMIT 1
      FOR UPDATE OF c`);
  }

  const requestsOf = (tx: CommonQueryMethods, matchId: number) =>
    tx.any(sql.type(requestRow)`
      SELECT user_id, round, withdrawn_at IS NOT NULL AS withdrawn,
             revealed_at IS NOT NULL AS revealed
      FROM contact_requests WHERE match_id = ${matchId}`);

  /** Sends each of the two the other's contact (once per person, by the notice's key). */
  async function notifyRevealed(matchId: number): Promise<void> {
    const people = await db.any(sql.type(contactRow)`
      SELECT u.id, u.first_name, u.tg_id, r.username
      FROM contact_requests r JOIN users u ON u.id = r.user_id
      WHERE r.match_id = ${matchId} AND r.revealed_at IS NOT NULL AND u.tg_id IS NOT NULL`);
    if (people.length !== 2) return;
    for (const [to, other] of [people, [...people].reverse()] as const) {
      await notifier.notify(to!.id, {
        kind: 'contact.revealed',
        matchId,
        contact: { name: other!.first_name, username: other!.username, tgId: other!.tg_id },
      });
    }
  }

  return {
    windowHours: deps.windowHours,

    /**
     * A press by `userId` for chat `matchId` (or, for /contact, their latest chat), with
     * their current Telegram username (null when they have none).
     */
    async request(
      userId: number,
      matchId: number | null,
      username: string | null,
    ): Promise<ContactRequestOutcome> {
      const decided = await db.transaction(async (tx) => {
        const chat = await lockChat(tx, userId, matchId);
        if (!chat) return { kind: 'none' as const };
        const id = chat.match_id;
        const rows = await requestsOf(tx, id);
        const mine = rows.find((row) => row.user_id === userId);
        const theirs = rows.find((row) => row.user_id === chat.partner_id);
        if (mine?.revealed) return { kind: 'revealed' as const, matchId: id, partnerId: 0 };
        if (!chat.open) return { kind: 'closed' as const, matchId: id };
        if (mine?.withdrawn && mine.round >= maxRounds)
          return { kind: 'limit' as const, matchId: id };
        const round = await tx.oneFirst(sql.type(z.object({ round: z.number() }))`
          INSERT INTO contact_requests (match_id, user_id, username)
          VALUES (${id}, ${userId}, ${username})
          ON CONFLICT (match_id, user_id) DO UPDATE SET
            username = excluded.username,
            round = contact_requests.round
                    + CASE WHEN contact_requests.withdrawn_at IS NULL THEN 0 ELSE 1 END,
            requested_at = CASE WHEN contact_requests.withdrawn_at IS NULL
                                THEN contact_requests.requested_at ELSE now() END,
            withdrawn_at = NULL
          RETURNING round`);
        if (theirs && !theirs.withdrawn) {
          await tx.query(sql.unsafe`
            UPDATE contact_requests SET revealed_at = now()
            WHERE match_id = ${id} AND revealed_at IS NULL`);
          return { kind: 'revealed' as const, matchId: id, partnerId: chat.partner_id };
        }
        const kind = mine && !mine.withdrawn ? ('already' as const) : ('requested' as const);
        return { kind, matchId: id, partnerId: chat.partner_id, round };
      });
      if (decided.kind === 'revealed') {
        await notifyRevealed(decided.matchId);
        return { kind: 'revealed', matchId: decided.matchId };
      }
      if (decided.kind === 'requested' || decided.kind === 'already') {
        await notifier.notify(decided.partnerId, {
          kind: 'contact.requested',
          matchId: decided.matchId,
          round: decided.round,
        });
        return { kind: decided.kind, matchId: decided.matchId };
      }
      return decided;
    },

    /** Withdraws a standing press, unless the partner has pressed too (then it is too late). */
    async withdraw(userId: number, matchId: number): Promise<ContactWithdrawOutcome> {
      const decided = await db.transaction(async (tx) => {
        const chat = await lockChat(tx, userId, matchId);
        if (!chat) return null;
        const round = await tx.maybeOneFirst(sql.type(z.object({ round: z.number() }))`
          UPDATE contact_requests SET withdrawn_at = now()
          WHERE match_id = ${matchId} AND user_id = ${userId}
            AND withdrawn_at IS NULL AND revealed_at IS NULL
          RETURNING round`);
        if (round !== null)
          return { outcome: 'withdrawn' as const, partnerId: chat.partner_id, round };
        const rows = await requestsOf(tx, matchId);
        const revealed = rows.some((row) => row.user_id === userId && row.revealed);
        return { outcome: revealed ? ('revealed' as const) : ('none' as const) };
      });
      if (!decided) return 'none';
      if (decided.outcome === 'withdrawn') {
        await notifier.notify(decided.partnerId, {
          kind: 'contact.withdrawn',
          matchId,
          round: decided.round,
        });
      }
      return decided.outcome;
    },

    /**
     * An erased user's presses go, and with them every press about their chats: an exchange
     * with someone who is gone can never complete.
     */
    async forgetUserRows(tx: CommonQueryMethods, user: ErasedUser): Promise<void> {
      await tx.query(sql.unsafe`
        DELETE FROM contact_requests
        WHERE user_id = ${user.id}
           OR match_id IN (SELECT match_id FROM chat_sessions
                           WHERE user_a = ${user.id} OR user_b = ${user.id})`);
    },
  };
}

export type ContactExchange = ReturnType<typeof createContactExchange>;

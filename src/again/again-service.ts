import type { DatabasePool } from 'slonik';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ProposalRuntime } from '../proposals/proposal-runtime.js';
import type { UserDataOwner } from '../erasure/user-data.js';
import type { WakeHolds } from '../time/wake-hold.js';
import {
  addWish,
  forgetAgainRows,
  insertDirectProposal,
  isInviter,
  isSaved,
  partnerInChat,
  refusalsOf,
  removePair,
  savedPartners,
  type SavedPartner,
} from './again-store.js';

export interface AgainServiceDeps {
  db: DatabasePool;
  runtime: ProposalRuntime;
  notifier: Notifier;
  holds: WakeHolds;
  log: Logger;
  /** How long a direct proposal waits for its answer: its recipient is not watching. */
  proposalTtlMs: number;
  maxRequeues: number;
}

/** What became of an invitation. */
export type InviteOutcome =
  /** Proposed now: both got the card. */
  | { kind: 'sent'; matchId: number }
  /** The partner sleeps; the proposal goes out when they wake, at `at` (epoch ms). */
  | { kind: 'held'; at: number }
  | { kind: 'already_held' }
  /** The inviter is in a chat, a proposal or a search. */
  | { kind: 'busy' }
  /** The inviter may not be proposed to anyone (suspended, profile incomplete). */
  | { kind: 'refused' }
  /** The inviter is on a /pause: an invitation would end it behind their back. */
  | { kind: 'paused' }
  /** The partner is in a chat, a proposal or a search, or may not be proposed to. */
  | { kind: 'partner_unavailable' }
  | { kind: 'not_saved' };

export interface AgainService extends UserDataOwner {
  /**
   * "I'd chat again" after the chat of `matchId`. `saved`: both said so, the pair is saved.
   * @throws AppError forbidden when that chat was not the user's.
   */
  wish(
    matchId: number,
    userId: number,
  ): Promise<{ saved: boolean; partnerId: number; partnerName: string }>;
  /** True when `userId` made the direct proposal `matchId`. */
  isInviter(matchId: number, userId: number): Promise<boolean>;
  partners(userId: number): Promise<readonly SavedPartner[]>;
  remove(userId: number, partnerId: number): Promise<boolean>;
  /** Proposes a chat to a saved partner directly: no matching, no cooldown, their waking hours. */
  invite(userId: number, partnerId: number): Promise<InviteOutcome>;
  /** Delivers an invitation that was held until the partner woke (the wake-hold job). */
  deliverHeld(userId: number, partnerId: number): Promise<InviteOutcome>;
}

/** The id of the one invitation from `userId` to `partnerId` that may be held at a time. */
export const heldInviteId = (userId: number, partnerId: number) => `again-${userId}-${partnerId}`;

export function createAgainService(deps: AgainServiceDeps): AgainService {
  const { db, log } = deps;

  async function propose(userId: number, partnerId: number): Promise<InviteOutcome> {
    if (!(await isSaved(db, userId, partnerId))) return { kind: 'not_saved' };
    const claimed = await insertDirectProposal(db, userId, partnerId, deps.proposalTtlMs);
    if (claimed === 'inviter_paused') return { kind: 'paused' };
    if (claimed === 'inviter_refused') return { kind: 'refused' };
    if (claimed === 'inviter_busy') return { kind: 'busy' };
    if (claimed === 'partner_unavailable') return { kind: 'partner_unavailable' };
    const input = {
      matchId: claimed.matchId,
      userA: userId,
      userB: partnerId,
      requeuesA: 0,
      requeuesB: 0,
      maxRequeues: deps.maxRequeues,
      expiresAt: claimed.expiresAt,
    };
    try {
      await deps.runtime.create(input, userId);
    } catch (error) {
      // PostgreSQL has the proposal; the reconciler rebuilds its actor from there.
      log.warn({ err: error, matchId: claimed.matchId }, 'direct proposal actor not created yet');
    }
    return { kind: 'sent', matchId: claimed.matchId };
  }

  return {
    async wish(matchId, userId) {
      const partner = await partnerInChat(db, matchId, userId);
      if (partner === null) throw new AppError('forbidden', 'this chat is not yours');
      const { partner_id: partnerId, first_name: partnerName } = partner;
      const { saved, partnerWished } = await addWish(db, matchId, userId, partnerId);
      // The one who pressed first learns it now; the second is told by the button's answer.
      if (saved && partnerWished) {
        await deps.notifier.notify(partnerId, { kind: 'again.saved', matchId, partnerId: userId });
      }
      return { saved, partnerId, partnerName };
    },

    isInviter: (matchId, userId) => isInviter(db, matchId, userId),

    partners: (userId) => savedPartners(db, userId),

    async remove(userId, partnerId) {
      const removed = await removePair(db, userId, partnerId);
      await deps.holds.cancel(heldInviteId(userId, partnerId));
      await deps.holds.cancel(heldInviteId(partnerId, userId));
      return removed;
    },

    async invite(userId, partnerId) {
      if (!(await isSaved(db, userId, partnerId))) return { kind: 'not_saved' };
      // Checked before holding too: a paused partner must not get a held invitation in the morning.
      const refusals = await refusalsOf(db, userId, partnerId);
      if (refusals.inviter === 'paused') return { kind: 'paused' };
      if (refusals.inviter) return { kind: 'refused' };
      if (refusals.partner) return { kind: 'partner_unavailable' };
      const id = heldInviteId(userId, partnerId);
      if (await deps.holds.isHeld(id)) return { kind: 'already_held' };
      if (await deps.holds.isAwake(partnerId)) return propose(userId, partnerId);
      const at = await deps.holds.hold(id, partnerId, {
        kind: 'again.invite',
        fromUserId: userId,
        toUserId: partnerId,
      });
      return { kind: 'held', at };
    },

    async deliverHeld(userId, partnerId) {
      const outcome = await propose(userId, partnerId);
      if (outcome.kind !== 'sent' && outcome.kind !== 'not_saved') {
        log.info({ userId, partnerId, outcome: outcome.kind }, 'held invitation not delivered');
      }
      return outcome;
    },

    forgetUserRows: (tx, user) => forgetAgainRows(tx, user.id),
    forgetUser: (user) => deps.holds.forgetUser(user.id),
  };
}

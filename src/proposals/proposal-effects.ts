import type { DatabasePool } from 'slonik';
import type { ProposalEffect } from '../../machines/proposal.machine.js';
import { closeMatch, recordAcceptance } from '../db/queries/matches.js';
import { startChatSession } from '../db/queries/chat-sessions.js';
import { coolDownPair } from '../db/queries/recent-contacts.js';
import { endSearchOfMatch, requeueSearch } from '../db/queries/searches.js';
import type { MatchProducer } from '../streams/match-producer.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ChatTimers } from '../chats/chat-timers.js';
import type { ProposalTimers } from './proposal-timers.js';
import type { EffectExecutor } from './proposal-runtime.js';

export interface ProposalEffectDeps {
  db: DatabasePool;
  timers: ProposalTimers;
  chatTimers: ChatTimers;
  producer: MatchProducer;
  notifier: Notifier;
  cooldownHours: number;
  chatIdleMs: number;
  now?: () => number;
}

/**
 * Performs the effects the proposal machine names. Each is idempotent: database writes are
 * conditional on the state they move from, timers and messages are de-duplicated by a key
 * derived from the match, the effect and the user.
 */
export function createProposalEffects(deps: ProposalEffectDeps): EffectExecutor {
  const now = deps.now ?? Date.now;
  const { db, notifier } = deps;

  async function requeue(matchId: number, userId: number, countsTowardLimit: boolean) {
    const search = await requeueSearch(db, matchId, userId, countsTowardLimit);
    if (!search) return;
    // A duplicate entry (this effect re-run) is harmless: the matcher only acts on a search
    // that is still queued, under a row lock.
    await deps.producer.enqueue({
      request_id: search.id,
      user_id: userId,
      topics: search.topic_ids,
      tz: search.tz,
      requested_at: search.requested_at.getTime(),
    });
  }

  return async (matchId: number, effect: ProposalEffect) => {
    switch (effect.type) {
      case 'scheduleExpiry':
        return deps.timers.schedule(matchId, effect.params.expiresAt);
      case 'cancelExpiry':
        return deps.timers.cancel(matchId);
      case 'sendProposal':
        return notifier.notify(
          effect.params.userId,
          { kind: 'proposal', matchId, partnerId: effect.params.partnerId },
          `m${matchId}-proposal-u${effect.params.userId}`,
        );
      case 'recordAcceptance':
        return recordAcceptance(db, matchId, effect.params.userId);
      case 'startChat': {
        await startChatSession(db, matchId);
        return deps.chatTimers.scheduleIdleCheck(matchId, now() + deps.chatIdleMs);
      }
      case 'sendIntro':
        return notifier.notify(
          effect.params.userId,
          { kind: 'chat.started', matchId, partnerId: effect.params.partnerId },
          `m${matchId}-intro-u${effect.params.userId}`,
        );
      case 'closeProposal':
        return closeMatch(db, matchId, effect.params.status, effect.params.declinedBy);
      case 'coolDownPair':
        return coolDownPair(db, effect.params.userA, effect.params.userB, deps.cooldownHours);
      case 'settleSearch': {
        const { userId, outcome } = effect.params;
        if (outcome === 'requeue' || outcome === 'requeue_expired') {
          return requeue(matchId, userId, outcome === 'requeue_expired');
        }
        await endSearchOfMatch(db, matchId, userId, outcome);
        return;
      }
      case 'notifyDeclined':
        return notifier.notify(
          effect.params.userId,
          { kind: 'proposal.declined', matchId, role: effect.params.role },
          `m${matchId}-declined-u${effect.params.userId}`,
        );
      case 'notifyExpired':
        return notifier.notify(
          effect.params.userId,
          { kind: 'proposal.expired', matchId, outcome: effect.params.outcome },
          `m${matchId}-expired-u${effect.params.userId}`,
        );
    }
  };
}

import type { DatabasePool } from 'slonik';
import type {
  ProposalEffect,
  ProposalEffectParams,
  ProposalEffectType,
} from '../../machines/proposal.machine.js';
import { closeMatch, recordAcceptance } from '../db/queries/matches.js';
import { startChatSession } from '../db/queries/chat-sessions.js';
import { coolDownPair } from '../db/queries/recent-contacts.js';
import { endSearchOfMatch, requeueSearch } from '../db/queries/searches.js';
import type { MatchProducer } from '../streams/match-producer.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ChatTimers } from '../chats/chat-timers.js';
import type { ProposalTimers } from './proposal-timers.js';
import type { EffectExecutor } from './proposal-outbox.js';

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

/** One function per effect the proposal machine can name, taking that effect's params. */
export type ProposalEffects = {
  [K in ProposalEffectType]: (matchId: number, params: ProposalEffectParams[K]) => Promise<void>;
};

/**
 * Performs the effects the proposal machine names. Each is idempotent: database writes are
 * conditional on the state they move from, timers are de-duplicated by a job id derived from
 * the match, and notices by a message key derived from the match, the notice and the user.
 */
export function createProposalEffects(deps: ProposalEffectDeps): ProposalEffects {
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

  return {
    scheduleExpiry: (matchId, { expiresAt }) => deps.timers.schedule(matchId, expiresAt),
    cancelExpiry: (matchId) => deps.timers.cancel(matchId),
    sendProposal: (matchId, { userId, partnerId }) =>
      notifier.notify(userId, { kind: 'proposal', matchId, partnerId }),
    recordAcceptance: (matchId, { userId }) => recordAcceptance(db, matchId, userId),
    async startChat(matchId) {
      await startChatSession(db, matchId);
      await deps.chatTimers.scheduleIdleCheck(matchId, now() + deps.chatIdleMs);
    },
    sendIntro: (matchId, { userId, partnerId }) =>
      notifier.notify(userId, { kind: 'chat.started', matchId, partnerId }),
    closeProposal: (matchId, { status, declinedBy }) => closeMatch(db, matchId, status, declinedBy),
    coolDownPair: (_, { userA, userB }) => coolDownPair(db, userA, userB, deps.cooldownHours),
    async settleSearch(matchId, { userId, outcome }) {
      if (outcome === 'requeue' || outcome === 'requeue_expired') {
        return requeue(matchId, userId, outcome === 'requeue_expired');
      }
      await endSearchOfMatch(db, matchId, userId, outcome);
    },
    notifyDeclined: (matchId, { userId, role }) =>
      notifier.notify(userId, { kind: 'proposal.declined', matchId, role }),
    notifyExpired: (matchId, { userId, outcome }) =>
      notifier.notify(userId, { kind: 'proposal.expired', matchId, outcome }),
  };
}

/** Runs each effect by the function of its name. */
export function executeWith(effects: ProposalEffects): EffectExecutor {
  return <K extends ProposalEffectType>(matchId: number, effect: ProposalEffect<K>) =>
    effects[effect.type](matchId, effect.params);
}

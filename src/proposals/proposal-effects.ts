import type { DatabasePool } from 'slonik';
import type {
  ProposalEffect,
  ProposalEffectParams,
  ProposalEffectType,
} from '../../machines/proposal.machine.js';
import { recordAcceptance } from '../db/queries/matches.js';
import { startChatSession } from '../db/queries/chat-sessions.js';
import { settleProposal, type ProposalSettlement } from '../db/queries/proposal-settlement.js';
import type { MatchProducer } from '../streams/match-producer.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ChatTimers } from '../chats/chat-timers.js';
import type { ProposalTimers } from './proposal-timers.js';
import type { EffectExecutor, RunnableEffect, SettlementExecutor } from './proposal-outbox.js';

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

/** What a run of closeProposal, coolDownPair and settleSearch effects changes, as one. */
function settlementOf(effects: readonly RunnableEffect[], cooldownHours: number) {
  const searches: { userId: number; outcome: string }[] = [];
  let settlement: ProposalSettlement = { searches };
  for (const effect of effects) {
    if (effect.type === 'closeProposal') settlement = { ...settlement, close: effect.params };
    else if (effect.type === 'coolDownPair') {
      settlement = { ...settlement, coolDown: { ...effect.params, hours: cooldownHours } };
    } else if (effect.type === 'settleSearch') searches.push(effect.params);
    else throw new Error(`${effect.type} is not part of a proposal's settlement`);
  }
  return settlement;
}

/**
 * Performs the effects the proposal machine names. Each is idempotent: database writes are
 * conditional on the state they move from, timers are de-duplicated by a job id derived from
 * the match, and notices by a message key derived from the match, the notice and the user.
 * `settleTogether` performs a run of the decision's PostgreSQL effects in one statement.
 */
export function createProposalEffects(deps: ProposalEffectDeps): {
  effects: ProposalEffects;
  settleTogether: SettlementExecutor;
} {
  const now = deps.now ?? Date.now;
  const { db, notifier } = deps;

  /**
   * Applies a settlement, then announces the searches it requeued on match.find. When the
   * announcement fails, the whole settlement runs again later: a no-op for the match and the
   * searches, and the cooldown only moves its end to the later one.
   */
  async function settle(matchId: number, settlement: ProposalSettlement): Promise<void> {
    const requeued = await settleProposal(db, matchId, settlement);
    // A duplicate entry (this effect re-run) is harmless: the matcher only acts on a search
    // that is still queued, under a row lock.
    await Promise.all(
      requeued.map((search) =>
        deps.producer.enqueue({
          request_id: search.id,
          user_id: search.user_id,
          topics: search.topic_ids,
          tz: search.tz,
          requested_at: search.requested_at.getTime(),
        }),
      ),
    );
  }

  const effects: ProposalEffects = {
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
    closeProposal: (matchId, close) => settle(matchId, { close }),
    coolDownPair: (matchId, pair) =>
      settle(matchId, { coolDown: { ...pair, hours: deps.cooldownHours } }),
    settleSearch: (matchId, search) => settle(matchId, { searches: [search] }),
    notifyDeclined: (matchId, { userId, role }) =>
      notifier.notify(userId, { kind: 'proposal.declined', matchId, role }),
    notifyExpired: (matchId, { userId, outcome }) =>
      notifier.notify(userId, { kind: 'proposal.expired', matchId, outcome }),
  };
  return {
    effects,
    settleTogether: (matchId, run) => settle(matchId, settlementOf(run, deps.cooldownHours)),
  };
}

/** Runs each effect by the function of its name. */
export function executeWith(effects: ProposalEffects): EffectExecutor {
  return <K extends ProposalEffectType>(matchId: number, effect: ProposalEffect<K>) =>
    effects[effect.type](matchId, effect.params);
}

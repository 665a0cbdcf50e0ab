import { initialTransition, transition } from 'xstate';
import {
  PROPOSAL_MACHINE_VERSION,
  isParticipant,
  proposalMachine,
  type ProposalContext,
  type ProposalEvent,
  type ProposalInput,
} from '../../machines/proposal.machine.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProposalRecord, ProposalStore } from './proposal-store.js';
import {
  createProposalOutbox,
  toEffects,
  type EffectExecutor,
  type SettlementExecutor,
} from './proposal-outbox.js';
import { statusOfState, type ApplyResult } from './proposal-status.js';
import type { ProposalInspector } from './proposal-inspector.js';
import type { DurableProposal } from './proposal-durable.js';
import { replayDurable, type ProposalSnapshot } from './proposal-snapshot.js';
import { createProposalRecords, userOf } from './proposal-records.js';

export type { ApplyResult, EffectExecutor };

export interface ProposalRuntimeDeps {
  store: ProposalStore;
  execute: EffectExecutor;
  /** A decision's PostgreSQL effects in a row, as one call (see SettlementExecutor). */
  settle?: SettlementExecutor;
  /** The proposal as PostgreSQL knows it, for rebuilding a lost or outdated snapshot. */
  loadDurable: (matchId: number) => Promise<DurableProposal | null>;
  metrics: Metrics;
  log: Logger;
  inspector?: ProposalInspector;
  /** How long a decided proposal's record stays in Redis after it ends, in seconds. */
  retentionSeconds: number;
  now?: () => number;
}

export interface ProposalRuntime {
  /**
   * Spawns the actor for a new match. Idempotent per match id. `acceptedBy`: one of the two
   * has accepted already (the inviter of a direct proposal), as PostgreSQL records it.
   */
  create(input: ProposalInput, acceptedBy?: number): Promise<ApplyResult>;
  /**
   * Applies an event: load, transition, compare-and-set save, then run the new effects.
   * @throws AppError not_found for an unknown match, forbidden for a non-participant,
   * unavailable while the record belongs to a newer release, conflict after too many races.
   */
  send(matchId: number, event: ProposalEvent): Promise<ApplyResult>;
  /** Runs whatever effects of this proposal are still pending (used by the sweeper). */
  finishPending(matchId: number, token: string): Promise<void>;
  /** Rebuilds the record from PostgreSQL if Redis lost it; true when this call rebuilt it. */
  ensure(matchId: number): Promise<boolean>;
}

const MAX_ATTEMPTS = 25;

function sameContext(a: ProposalContext, b: ProposalContext): boolean {
  return (Object.keys(a) as (keyof ProposalContext)[]).every((key) => a[key] === b[key]);
}

function countOutcome(metrics: Metrics, next: ProposalSnapshot): void {
  if (next.value === 'Confirmed') metrics.accepts.inc();
  else if (next.value === 'Declined') metrics.declines.inc();
  else if (next.value === 'Expired') metrics.ttlExpired.inc();
}

export function createProposalRuntime(deps: ProposalRuntimeDeps): ProposalRuntime {
  const { store, log } = deps;
  const outbox = createProposalOutbox(deps);
  const records = createProposalRecords(deps, outbox);

  /**
   * One try at applying `event` to the record as loaded: null when someone else saved first
   * (or the record had to be ended), so the caller reloads and decides again.
   */
  async function applyTo(
    matchId: number,
    record: ProposalRecord,
    event: ProposalEvent,
  ): Promise<ApplyResult | null> {
    const snapshot = await records.readable(matchId, record);
    if (!snapshot) return null;
    // Before anything else, so a stranger learns nothing, not even a decided status.
    const userId = userOf(event);
    if (userId !== undefined && !isParticipant(snapshot.context, userId)) {
      throw new AppError('forbidden', 'this proposal is not yours');
    }
    const status = statusOfState(snapshot.value);
    if (snapshot.status === 'done') return { status, changed: false };
    const [next, actions] = transition(proposalMachine, snapshot, event);
    const effects = toEffects(record.rev + 1, actions);
    const changed = next.value !== snapshot.value || !sameContext(next.context, snapshot.context);
    if (!changed && effects.length === 0) {
      deps.inspector?.event(matchId, event, snapshot, snapshot);
      return { status, changed: false };
    }
    const persisted = proposalMachine.getPersistedSnapshot(next);
    const args = [
      matchId,
      record.rev,
      PROPOSAL_MACHINE_VERSION,
      persisted,
      effects,
      records.ttlOf(next),
    ] as const;
    // With effects, registered in the pending index in the same round trip as the save.
    const { result, token } = effects.length
      ? await store.indexAndSave(...args)
      : { result: await store.save(...args), token: undefined };
    if (result !== 'saved') return null;
    deps.inspector?.event(matchId, event, next, snapshot);
    countOutcome(deps.metrics, next);
    await outbox.run(matchId, effects, token);
    return { status: statusOfState(next.value), changed: true };
  }

  return {
    async create(input, acceptedBy) {
      const [first, created] = initialTransition(proposalMachine, input);
      const { snapshot, actions } =
        acceptedBy === undefined
          ? { snapshot: first, actions: created }
          : replayDurable({
              ...input,
              acceptedA: acceptedBy === input.userA,
              acceptedB: acceptedBy === input.userB,
              declinedBy: null,
            });
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        if (await records.saveFirst(input.matchId, snapshot, actions)) {
          deps.metrics.proposalsSent.inc();
          return { status: 'waiting', changed: true };
        }
        const existing = await store.load(input.matchId);
        // Migrated if old; ended (null) if unusable; refused if a newer release wrote it.
        const restored = existing && (await records.readable(input.matchId, existing));
        if (!existing || !restored) continue;
        const { userA, userB } = restored.context;
        if (userA === input.userA && userB === input.userB) {
          return { status: statusOfState(restored.value), changed: false };
        }
        // Another match's actor under this id: left by a database reset that reuses ids.
        // Keeping it would hide the new proposal from both users.
        log.warn({ matchId: input.matchId }, 'stale proposal record replaced');
        await store.remove(input.matchId, existing.rev);
      }
      throw new AppError('conflict', `proposal ${input.matchId} could not be created; try again`);
    },

    async send(matchId, event) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const record = await store.load(matchId);
        if (!record) {
          const settled = await records.rebuild(matchId, event);
          if (typeof settled === 'object') return settled;
          continue;
        }
        const applied = await applyTo(matchId, record, event);
        if (applied) return applied;
      }
      throw new AppError('conflict', `proposal ${matchId} is too busy; try again`);
    },

    async ensure(matchId) {
      if (await store.load(matchId)) return false;
      return (await records.rebuild(matchId)) === 'rebuilt';
    },

    finishPending: (matchId, token) => outbox.finishPending(matchId, token),
  };
}

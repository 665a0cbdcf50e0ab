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
  type NamedActions,
} from './proposal-outbox.js';
import { statusOfMatch, statusOfState, type ProposalStatus } from './proposal-status.js';
import { migrateRecord } from './proposal-versioning.js';
import type { ProposalInspector } from './proposal-inspector.js';
import type { DurableProposal } from './proposal-durable.js';
import { replayDurable, restoreSnapshot, type ProposalSnapshot } from './proposal-snapshot.js';

/** The executor contract lives with the outbox; re-exported for the effects module. */
export type { EffectExecutor };

export interface ProposalRuntimeDeps {
  store: ProposalStore;
  execute: EffectExecutor;
  /** The proposal as PostgreSQL knows it, for rebuilding a lost or outdated snapshot. */
  loadDurable: (matchId: number) => Promise<DurableProposal | null>;
  metrics: Metrics;
  log: Logger;
  inspector?: ProposalInspector;
  /** How long a decided proposal's record stays in Redis after it ends, in seconds. */
  retentionSeconds: number;
  now?: () => number;
}

export interface ApplyResult {
  status: ProposalStatus;
  /** False when the event changed nothing (duplicate, too late, or too early). */
  changed: boolean;
}

export interface ProposalRuntime {
  /** Spawns the actor for a new match. Idempotent per match id. */
  create(input: ProposalInput): Promise<ApplyResult>;
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

const userOf = (event: ProposalEvent) => ('userId' in event ? event.userId : undefined);

export function createProposalRuntime(deps: ProposalRuntimeDeps): ProposalRuntime {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;
  const outbox = createProposalOutbox(deps);

  const ttlOf = (snapshot: ProposalSnapshot) =>
    snapshot.status === 'done'
      ? deps.retentionSeconds
      : Math.max(0, (snapshot.context.expiresAt - now()) / 1000) + deps.retentionSeconds;

  function countOutcome(next: ProposalSnapshot): void {
    if (next.value === 'Confirmed') deps.metrics.accepts.inc();
    else if (next.value === 'Declined') deps.metrics.declines.inc();
    else if (next.value === 'Expired') deps.metrics.ttlExpired.inc();
  }

  /** Saves a brand-new record (rev 1) and runs its effects; false if one already exists. */
  async function saveFirst(
    matchId: number,
    snapshot: ProposalSnapshot,
    actions: NamedActions,
  ): Promise<boolean> {
    const effects = toEffects(1, actions);
    // Registered before the save: a crash right after it still leaves the effects findable.
    const persisted = proposalMachine.getPersistedSnapshot(snapshot);
    const { result, token } = await store.indexAndSave(
      matchId,
      null,
      PROPOSAL_MACHINE_VERSION,
      persisted,
      effects,
      ttlOf(snapshot),
    );
    if (result !== 'saved') return false;
    deps.inspector?.actor(matchId, snapshot);
    await outbox.run(matchId, effects, token);
    return true;
  }

  /**
   * Recreates a missing record from PostgreSQL. Returns the answer to `event` when the match
   * is already decided there (nothing to rebuild), `rebuilt` or `raced` (another caller
   * rebuilt it first) when the caller should reload.
   */
  async function rebuild(
    matchId: number,
    event?: ProposalEvent,
  ): Promise<ApplyResult | 'rebuilt' | 'raced'> {
    const durable = await deps.loadDurable(matchId);
    if (!durable) throw new AppError('not_found', `match ${matchId} does not exist`);
    const userId = event && userOf(event);
    if (userId !== undefined && !isParticipant(durable.context, userId)) {
      throw new AppError('forbidden', 'this proposal is not yours');
    }
    if (durable.status !== 'proposed') {
      return { status: statusOfMatch(durable.status), changed: false };
    }
    const { snapshot, actions } = replayDurable(durable.context);
    if (!(await saveFirst(matchId, snapshot, actions))) return 'raced';
    log.warn({ matchId, state: snapshot.value }, 'proposal snapshot rebuilt from PostgreSQL');
    return 'rebuilt';
  }

  /**
   * The snapshot of a record in the current machine's terms, or null after ending a record
   * that cannot be used (corrupt, or an old version with no migration): it is deleted, if
   * still unchanged, and the caller's next attempt rebuilds it from PostgreSQL.
   */
  async function readable(
    matchId: number,
    record: ProposalRecord,
  ): Promise<ProposalSnapshot | null> {
    if (record.machineVersion > PROPOSAL_MACHINE_VERSION) {
      // Saved by a newer release during a rolling deploy: leave it to the workers that
      // understand it rather than destroy its state. Timers and callers retry.
      throw new AppError('unavailable', `proposal ${matchId} belongs to a newer release`);
    }
    const current =
      record.machineVersion === PROPOSAL_MACHINE_VERSION
        ? record
        : migrateRecord(record, log, matchId);
    const snapshot = current && restoreSnapshot(current.snapshot, matchId);
    if (snapshot) return snapshot;
    log.warn(
      { matchId, version: record.machineVersion, rev: record.rev },
      'unusable proposal snapshot ended; rebuilding from PostgreSQL',
    );
    await store.remove(matchId, record.rev);
    return null;
  }

  return {
    async create(input) {
      const [snapshot, actions] = initialTransition(proposalMachine, input);
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        if (await saveFirst(input.matchId, snapshot, actions)) {
          deps.metrics.proposalsSent.inc();
          return { status: 'waiting', changed: true };
        }
        const existing = await store.load(input.matchId);
        // Migrated if old; ended (null) if unusable; refused if a newer release wrote it.
        const restored = existing && (await readable(input.matchId, existing));
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
          const settled = await rebuild(matchId, event);
          if (typeof settled === 'object') return settled;
          continue;
        }
        const snapshot = await readable(matchId, record);
        if (!snapshot) continue;
        // Before anything else, so a stranger learns nothing, not even a decided status.
        const userId = userOf(event);
        if (userId !== undefined && !isParticipant(snapshot.context, userId)) {
          throw new AppError('forbidden', 'this proposal is not yours');
        }
        const status = statusOfState(snapshot.value);
        if (snapshot.status === 'done') return { status, changed: false };
        const [next, actions] = transition(proposalMachine, snapshot, event);
        const effects = toEffects(record.rev + 1, actions);
        const changed =
          next.value !== snapshot.value || !sameContext(next.context, snapshot.context);
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
          ttlOf(next),
        ] as const;
        // With effects, registered in the pending index in the same round trip as the save.
        const { result, token } = effects.length
          ? await store.indexAndSave(...args)
          : { result: await store.save(...args), token: undefined };
        if (result !== 'saved') continue; // someone else moved first: reload and re-decide
        deps.inspector?.event(matchId, event, next, snapshot);
        countOutcome(next);
        await outbox.run(matchId, effects, token);
        return { status: statusOfState(next.value), changed: true };
      }
      throw new AppError('conflict', `proposal ${matchId} is too busy; try again`);
    },

    async ensure(matchId) {
      if (await store.load(matchId)) return false;
      return (await rebuild(matchId)) === 'rebuilt';
    },

    finishPending: (matchId, token) => outbox.finishPending(matchId, token),
  };
}

import { initialTransition, transition } from 'xstate';
import {
  PROPOSAL_EFFECT_TYPES,
  PROPOSAL_MACHINE_VERSION,
  isParticipant,
  proposalMachine,
  type ProposalContext,
  type ProposalEffect,
  type ProposalEvent,
  type ProposalInput,
} from '../../machines/proposal.machine.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { effectId, type ProposalStore, type StoredEffect } from './proposal-store.js';
import { statusOfMatch, statusOfState, type ProposalStatus } from './proposal-status.js';
import { migrateRecord } from './proposal-versioning.js';
import type { ProposalInspector } from './proposal-inspector.js';
import type { DurableProposal } from './proposal-durable.js';

/** Performs one named effect. Must be idempotent: it can run more than once. */
export type EffectExecutor = (matchId: number, effect: ProposalEffect) => Promise<void>;

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
   * @throws AppError not_found for an unknown match, forbidden for a non-participant.
   */
  send(matchId: number, event: ProposalEvent): Promise<ApplyResult>;
  /** Runs whatever effects of this proposal are still pending (used by the sweeper). */
  finishPending(matchId: number, token: string): Promise<void>;
  /** Rebuilds the record from PostgreSQL if Redis lost it; true when one was rebuilt. */
  ensure(matchId: number): Promise<boolean>;
}

type Snapshot = ReturnType<typeof proposalMachine.resolveState>;

const MAX_ATTEMPTS = 25;
const EFFECT_TYPES = new Set<string>(PROPOSAL_EFFECT_TYPES);

function toEffects(rev: number, actions: readonly { type: string; params?: unknown }[]) {
  return actions
    .filter((action) => EFFECT_TYPES.has(action.type))
    .map((action, index) => ({
      id: effectId(rev, index),
      type: action.type,
      params: (action.params ?? {}) as Record<string, unknown>,
    }));
}

function sameContext(a: ProposalContext, b: ProposalContext): boolean {
  return (Object.keys(a) as (keyof ProposalContext)[]).every((key) => a[key] === b[key]);
}

export function createProposalRuntime(deps: ProposalRuntimeDeps): ProposalRuntime {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;

  const ttlOf = (snapshot: Snapshot) =>
    snapshot.status === 'done'
      ? deps.retentionSeconds
      : Math.max(0, (snapshot.context.expiresAt - now()) / 1000) + deps.retentionSeconds;

  async function runEffects(
    matchId: number,
    effects: readonly StoredEffect[],
    token: string | undefined,
  ): Promise<void> {
    const done: string[] = [];
    for (const effect of effects) {
      try {
        await deps.execute(matchId, effect as unknown as ProposalEffect);
        done.push(effect.id);
      } catch (error) {
        // Later effects may depend on this one (a search is requeued only after the match is
        // closed), so stop here; the sweeper resumes from this effect.
        log.error({ err: error, matchId, effect: effect.type }, 'proposal effect failed');
        break;
      }
    }
    const left = await store.complete(matchId, done);
    if (left <= 0 && token) await store.unindex(matchId, token);
  }

  function countOutcome(next: Snapshot): void {
    if (next.value === 'Confirmed') deps.metrics.accepts.inc();
    else if (next.value === 'Declined') deps.metrics.declines.inc();
    else if (next.value === 'Expired') deps.metrics.ttlExpired.inc();
  }

  /** Recreates a missing record from PostgreSQL. Returns a final status if there is nothing to rebuild. */
  async function rebuild(matchId: number, actor?: number): Promise<ProposalStatus | undefined> {
    const durable = await deps.loadDurable(matchId);
    if (!durable) throw new AppError('not_found', `match ${matchId} does not exist`);
    if (actor !== undefined && !isParticipant(durable.context, actor)) {
      throw new AppError('forbidden', 'this proposal is not yours');
    }
    if (durable.status !== 'proposed') return statusOfMatch(durable.status);
    const { context } = durable;
    // Waiting's entry effects are re-issued: the timer and messages may be gone with Redis.
    // Both are idempotent, so a proposal whose messages did arrive is not sent twice.
    const [, actions] = initialTransition(proposalMachine, context);
    const snapshot = proposalMachine.resolveState({ value: 'Waiting', context });
    const effects = toEffects(1, actions);
    const token = await store.index(matchId);
    const persisted = proposalMachine.getPersistedSnapshot(snapshot);
    const saved = await store.save(
      matchId,
      null,
      PROPOSAL_MACHINE_VERSION,
      persisted,
      effects,
      ttlOf(snapshot),
    );
    if (saved === 'saved') {
      log.warn({ matchId }, 'proposal snapshot rebuilt from PostgreSQL');
      deps.inspector?.actor(matchId, snapshot);
      await runEffects(matchId, effects, token);
    }
    return undefined;
  }

  /** Null when the stored snapshot does not fit the machine (corrupt, or a stray version). */
  function restore(persisted: unknown): Snapshot | null {
    try {
      const snapshot = proposalMachine.resolveState(persisted as never);
      statusOfState(snapshot.value);
      return snapshot;
    } catch {
      return null;
    }
  }

  return {
    async create(input) {
      const [snapshot, actions] = initialTransition(proposalMachine, input);
      const effects = toEffects(1, actions);
      const token = await store.index(input.matchId);
      const persisted = proposalMachine.getPersistedSnapshot(snapshot);
      const saved = await store.save(
        input.matchId,
        null,
        PROPOSAL_MACHINE_VERSION,
        persisted,
        effects,
        ttlOf(snapshot),
      );
      if (saved !== 'saved') {
        const existing = await store.load(input.matchId);
        const value = (existing && restore(existing.snapshot)?.value) ?? 'Waiting';
        return { status: statusOfState(value), changed: false };
      }
      deps.metrics.proposalsSent.inc();
      deps.inspector?.actor(input.matchId, snapshot);
      await runEffects(input.matchId, effects, token);
      return { status: 'waiting', changed: true };
    },

    async send(matchId, event) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        let record = await store.load(matchId);
        if (!record) {
          const final = await rebuild(matchId, 'userId' in event ? event.userId : undefined);
          if (final) return { status: final, changed: false };
          continue;
        }
        if (record.machineVersion !== PROPOSAL_MACHINE_VERSION) {
          record = migrateRecord(record, log, matchId);
          if (!record) {
            // No migration path: end the old snapshot cleanly and rebuild from PostgreSQL.
            await store.remove(matchId);
            continue;
          }
        }
        const snapshot = restore(record.snapshot);
        if (!snapshot) {
          log.warn({ matchId }, 'unreadable proposal snapshot; rebuilding from PostgreSQL');
          await store.remove(matchId);
          continue;
        }
        const status = statusOfState(snapshot.value);
        // Checked before the "already decided" answer, so a stranger learns nothing either way.
        if ('userId' in event && !isParticipant(snapshot.context, event.userId)) {
          throw new AppError('forbidden', 'this proposal is not yours');
        }
        if (snapshot.status === 'done') return { status, changed: false };
        const [next, actions] = transition(proposalMachine, snapshot, event);
        const effects = toEffects(record.rev + 1, actions);
        const changed =
          next.value !== snapshot.value || !sameContext(next.context, snapshot.context);
        if (!changed && effects.length === 0) return { status, changed: false };

        const token = effects.length ? await store.index(matchId) : undefined;
        const persisted = proposalMachine.getPersistedSnapshot(next);
        const saved = await store.save(
          matchId,
          record.rev,
          PROPOSAL_MACHINE_VERSION,
          persisted,
          effects,
          ttlOf(next),
        );
        if (saved !== 'saved') continue; // someone else moved first: reload and re-decide
        deps.inspector?.event(matchId, event, next);
        countOutcome(next);
        await runEffects(matchId, effects, token);
        return { status: statusOfState(next.value), changed: true };
      }
      throw new AppError('conflict', `proposal ${matchId} is too busy; try again`);
    },

    async ensure(matchId) {
      if (await store.load(matchId)) return false;
      return (await rebuild(matchId)) === undefined;
    },

    async finishPending(matchId, token) {
      const record = await store.load(matchId);
      if (!record || record.pendingEffects.length === 0) {
        await store.unindex(matchId, token);
        return;
      }
      const known = record.pendingEffects.filter((effect) => EFFECT_TYPES.has(effect.type));
      const unknown = record.pendingEffects.filter((effect) => !EFFECT_TYPES.has(effect.type));
      if (unknown.length) {
        log.warn(
          { matchId, types: unknown.map((effect) => effect.type) },
          'dropping unknown effects',
        );
        await store.complete(
          matchId,
          unknown.map((effect) => effect.id),
        );
      }
      await runEffects(matchId, known, token);
    },
  };
}

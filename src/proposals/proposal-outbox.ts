import { PROPOSAL_EFFECT_TYPES, type ProposalEffect } from '../../machines/proposal.machine.js';
import type { Logger } from '../logger.js';
import { effectId, type ProposalStore, type StoredEffect } from './proposal-store.js';

/** Performs one named effect. Must be idempotent: it can run more than once. */
export type EffectExecutor = (matchId: number, effect: ProposalEffect) => Promise<void>;

/**
 * Performs a run of a decision's PostgreSQL effects (SETTLEMENT_EFFECTS) as one, all or
 * nothing: the same changes as running each, in one round trip. Idempotent as they are.
 */
export type SettlementExecutor = (matchId: number, effects: RunnableEffect[]) => Promise<void>;

/** The effects a SettlementExecutor takes together. */
const SETTLEMENT_EFFECTS = new Set<string>(['closeProposal', 'coolDownPair', 'settleSearch']);

/** What an xstate action list looks like to the runtime: a name and its resolved params. */
export type NamedActions = readonly { type: string; params?: unknown }[];

const EFFECT_TYPES = new Set<string>(PROPOSAL_EFFECT_TYPES);

/** A stored effect whose name this release knows, so it can run. */
export type RunnableEffect = StoredEffect & ProposalEffect;

/** Params are trusted by name: this code wrote them, from the machine's typed actions. */
const isRunnable = (effect: StoredEffect): effect is RunnableEffect =>
  EFFECT_TYPES.has(effect.type);

/** The effects among a transition's actions, with ids that order them (rev, then position). */
export function toEffects(rev: number, actions: NamedActions): RunnableEffect[] {
  return actions
    .filter((action) => EFFECT_TYPES.has(action.type))
    .map((action, index) => ({
      id: effectId(rev, index),
      type: action.type,
      params: (action.params ?? {}) as Record<string, unknown>,
    }))
    .filter(isRunnable);
}

const personOf = (effect: RunnableEffect): unknown =>
  (effect.params as { userId?: unknown }).userId;

/** Effects in order, adjacent ones of one type for different people grouped together. */
function perPersonGroups(effects: readonly RunnableEffect[]): RunnableEffect[][] {
  const groups: RunnableEffect[][] = [];
  for (const effect of effects) {
    const last = groups.at(-1);
    const joins =
      last !== undefined &&
      personOf(effect) !== undefined &&
      last.every((other) => other.type === effect.type && personOf(other) !== personOf(effect));
    if (joins) last.push(effect);
    else groups.push([effect]);
  }
  return groups;
}

/** A group of effects run at once, or, for a settlement, as one call. */
interface EffectGroup {
  effects: RunnableEffect[];
  settlement: boolean;
}

/**
 * The groups, with adjacent groups of a decision's PostgreSQL effects merged into one when
 * they can go as one call (`settles`); otherwise they stay apart and run in order, since a
 * search must not be requeued before its match is closed.
 */
function withSettlements(groups: readonly RunnableEffect[][], settles: boolean): EffectGroup[] {
  const merged: EffectGroup[] = [];
  for (const effects of groups) {
    const settlement = settles && effects.every((effect) => SETTLEMENT_EFFECTS.has(effect.type));
    const last = merged.at(-1);
    if (settlement && last?.settlement) last.effects.push(...effects);
    else merged.push({ effects: [...effects], settlement });
  }
  return merged;
}

/**
 * The outbox in each proposal record: effects are saved with the snapshot, registered in the
 * index before the save, and crossed off as they run. Whatever is left (a crash, a failure)
 * stays indexed for the effect sweeper.
 */
export function createProposalOutbox(deps: {
  store: ProposalStore;
  execute: EffectExecutor;
  /** When given, a decision's PostgreSQL effects in a row go as one call. */
  settle?: SettlementExecutor | undefined;
  log: Logger;
}) {
  const { store, log } = deps;

  /** Runs one group; resolves with the ids of the effects done, and whether all were. */
  async function runGroup(matchId: number, group: EffectGroup) {
    const { effects } = group;
    if (group.settlement && deps.settle) {
      try {
        await deps.settle(matchId, effects);
        return { done: effects.map((effect) => effect.id), failed: false };
      } catch (error) {
        const types = effects.map((effect) => effect.type);
        log.error({ err: error, matchId, effects: types }, 'proposal settlement failed');
        return { done: [], failed: true };
      }
    }
    const results = await Promise.allSettled(
      effects.map((effect) => deps.execute(matchId, effect)),
    );
    const done: string[] = [];
    results.forEach((result, index) => {
      const effect = effects[index]!;
      if (result.status === 'fulfilled') done.push(effect.id);
      else
        log.error({ err: result.reason, matchId, effect: effect.type }, 'proposal effect failed');
    });
    return { done, failed: results.some((result) => result.status === 'rejected') };
  }

  /**
   * Runs effects in order, stopping at the first failure; resolves with how many are left.
   * A run of same-type effects for different people (both proposal messages) goes at once:
   * each concerns only its own person, and waiting for one person's round trips before
   * starting the other's only adds latency. A decision's PostgreSQL effects in a row (the
   * match closed, the cooldown, both searches settled) go as one call when `settle` is given.
   */
  async function run(
    matchId: number,
    effects: readonly RunnableEffect[],
    token: string | undefined,
  ): Promise<number> {
    const done: string[] = [];
    for (const group of withSettlements(perPersonGroups(effects), deps.settle !== undefined)) {
      const result = await runGroup(matchId, group);
      done.push(...result.done);
      // Later effects may depend on this one (a search is requeued only after the match is
      // closed), so stop here; the sweeper resumes from the first effect not done.
      if (result.failed) break;
    }
    return store.completeAndUnindex(matchId, done, token);
  }

  /** Runs whatever effects of this proposal are still pending (the sweeper's job). */
  async function finishPending(matchId: number, token: string): Promise<void> {
    const record = await store.load(matchId);
    if (!record || record.pendingEffects.length === 0) {
      await store.unindex(matchId, token);
      return;
    }
    const known = record.pendingEffects.filter(isRunnable);
    const unknown = record.pendingEffects.filter((effect) => !isRunnable(effect));
    if (unknown.length) {
      // Unreadable, or named by a release that knew an effect this one does not.
      log.warn(
        { matchId, types: unknown.map((effect) => effect.type) },
        'dropping unknown effects',
      );
      await store.complete(
        matchId,
        unknown.map((effect) => effect.id),
      );
    }
    const left = await run(matchId, known, token);
    // Still failing: move it behind the others, so a few effects that keep failing cannot
    // hold the sweeper's oldest-first batch and starve every other proposal.
    if (left > 0) await store.index(matchId);
  }

  return { run, finishPending };
}

export type ProposalOutbox = ReturnType<typeof createProposalOutbox>;

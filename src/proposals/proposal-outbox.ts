import { PROPOSAL_EFFECT_TYPES, type ProposalEffect } from '../../machines/proposal.machine.js';
import type { Logger } from '../logger.js';
import { effectId, type ProposalStore, type StoredEffect } from './proposal-store.js';

/** Performs one named effect. Must be idempotent: it can run more than once. */
export type EffectExecutor = (matchId: number, effect: ProposalEffect) => Promise<void>;

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

/**
 * The outbox in each proposal record: effects are saved with the snapshot, registered in the
 * index before the save, and crossed off as they run. Whatever is left (a crash, a failure)
 * stays indexed for the effect sweeper.
 */
export function createProposalOutbox(deps: {
  store: ProposalStore;
  execute: EffectExecutor;
  log: Logger;
}) {
  const { store, log } = deps;

  /**
   * Runs effects in order, stopping at the first failure; resolves with how many are left.
   * A run of same-type effects for different people (both proposal messages, both searches'
   * settlements) goes at once: each concerns only its own person, and waiting for one
   * person's round trips before starting the other's only adds latency.
   */
  async function run(
    matchId: number,
    effects: readonly RunnableEffect[],
    token: string | undefined,
  ): Promise<number> {
    const done: string[] = [];
    for (const group of perPersonGroups(effects)) {
      const results = await Promise.allSettled(
        group.map((effect) => deps.execute(matchId, effect)),
      );
      results.forEach((result, index) => {
        const effect = group[index]!;
        if (result.status === 'fulfilled') done.push(effect.id);
        else
          log.error({ err: result.reason, matchId, effect: effect.type }, 'proposal effect failed');
      });
      // Later effects may depend on this one (a search is requeued only after the match is
      // closed), so stop here; the sweeper resumes from the first effect not done.
      if (results.some((result) => result.status === 'rejected')) break;
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

import type { Logger } from '../logger.js';
import type { ProposalRuntime } from './proposal-runtime.js';
import type { ProposalStore } from './proposal-store.js';

export interface EffectSweeperDeps {
  store: ProposalStore;
  runtime: ProposalRuntime;
  log: Logger;
  /** Leave effects this fresh to the process that is running them right now. */
  graceMs: number;
  now?: () => number;
}

/**
 * Finishes effects that were saved but never completed: the process that saved them crashed,
 * or an effect failed. Effects are idempotent, so finishing one twice is harmless.
 */
export function createEffectSweeper(deps: EffectSweeperDeps) {
  const now = deps.now ?? Date.now;
  return {
    async sweep(limit = 200): Promise<number> {
      const due = await deps.store.indexed(now() - deps.graceMs, limit);
      for (const { matchId, token } of due) {
        try {
          await deps.runtime.finishPending(matchId, token);
        } catch (error) {
          deps.log.error({ err: error, matchId }, 'sweeping pending effects failed');
        }
      }
      return due.length;
    },
  };
}

export type EffectSweeper = ReturnType<typeof createEffectSweeper>;

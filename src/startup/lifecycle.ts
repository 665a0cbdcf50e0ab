import type { Logger } from '../logger.js';

export interface Stoppable {
  name: string;
  /** `finishBy`: when the shutdown wants the work in hand finished (see createLifecycle). */
  stop: (finishBy: number) => Promise<void>;
}

/**
 * Remembers what was started, in order, and stops it in reverse: intake first, then the
 * workers that drain it, then the clients and pools they used. The workers share one
 * deadline for their jobs, `jobsBudgetMs` after the shutdown began, so that several stuck at
 * once still leave the clients and pools time to close.
 */
export function createLifecycle(log: Logger, jobsBudgetMs: number) {
  const started: Stoppable[] = [];
  let stopping: Promise<void> | undefined;
  return {
    add(item: Stoppable): void {
      started.push(item);
    },
    get isStopping(): boolean {
      return stopping !== undefined;
    },
    /** Idempotent: a second SIGTERM waits for the first shutdown instead of starting another. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        const finishBy = Date.now() + jobsBudgetMs;
        for (const item of [...started].reverse()) {
          try {
            await item.stop(finishBy);
            log.debug({ component: item.name }, 'stopped');
          } catch (error) {
            log.error({ err: error, component: item.name }, 'failed to stop cleanly');
          }
        }
      })();
      return stopping;
    },
  };
}

import type { Logger } from '../logger.js';

export interface Stoppable {
  name: string;
  stop: () => Promise<void>;
}

/**
 * Remembers what was started, in order, and stops it in reverse: intake first, then the
 * workers that drain it, then the clients and pools they used.
 */
export function createLifecycle(log: Logger) {
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
        for (const item of [...started].reverse()) {
          try {
            await item.stop();
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

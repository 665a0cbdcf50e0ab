import type { Logger } from '../logger.js';

/**
 * Runs `task` every `intervalMs`, never overlapping itself, starting right away. `stop`
 * waits for a run in progress to finish, so shutdown does not cut a sweep in half.
 */
export function startPeriodic(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  log: Logger,
): { stop: () => Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    current = task()
      .then(() => undefined)
      .catch((error: unknown) => log.error({ err: error, task: name }, 'periodic task failed'))
      .finally(() => {
        current = undefined;
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

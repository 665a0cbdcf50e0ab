import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface WaitForOptions {
  /** Human name of the dependency, e.g. "PostgreSQL". */
  service: string;
  /** Where it was looked for, already masked. */
  where: string;
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
}

/**
 * Retries `probe` with exponential backoff (200 ms doubling to 5 s) until it resolves or the
 * time budget runs out. A dependency that comes up a little after us is normal under compose.
 * @throws StartupError naming the service and where it was looked for.
 */
export async function waitFor(
  probe: () => Promise<unknown>,
  options: WaitForOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await probe();
      if (attempt > 1) options.log.info({ service: options.service }, 'dependency is up');
      return;
    } catch (error) {
      const reason = (error as Error).message || String(error);
      if (Date.now() + delay > deadline || options.signal?.aborted) {
        throw new StartupError(
          `${options.service} at ${options.where} is unreachable after ${attempt} attempts ` +
            `(${Math.round(options.timeoutMs / 1000)} s): ${reason}`,
        );
      }
      options.log.warn(
        { service: options.service, where: options.where, attempt, retryInMs: delay, reason },
        'dependency not reachable yet',
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

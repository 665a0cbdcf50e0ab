import { setTimeout as sleep } from 'node:timers/promises';
import { errorChain, outageCause } from '../errors.js';
import type { Logger } from '../logger.js';

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface WaitForOptions {
  /** Human name of the dependency, e.g. "PostgreSQL". */
  service: string;
  /** Where it was looked for, already masked (no password, no token). */
  where: string;
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
  /** An error retrying cannot fix (a refused token): give up at once. */
  isFinal?: (error: unknown) => boolean;
}

/** Each attempt gets what is left of the budget, but at least this long. */
const MIN_ATTEMPT_MS = 1_000;

/** How a failed dependency is described at the end of start-up, by the cause's phrase. */
const VERBS: Record<string, string> = {
  'connection refused': 'refused the connection',
  'timed out': 'did not answer',
  'host not found': 'could not be found (DNS)',
  'host unreachable': 'is unreachable (no route to it)',
};

/** The innermost message of an error, which is where the cause is spelled out. */
function detailOf(error: unknown): string {
  const messages = errorChain(error)
    .map((link) => (link instanceof Error ? link.message : String(link)))
    .filter(Boolean);
  return messages.at(-1) ?? String(error);
}

function attempt(probe: (signal: AbortSignal) => Promise<unknown>, ms: number): Promise<unknown> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${Math.round(ms / 100) / 10} s`);
      error.name = 'TimeoutError';
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([probe(controller.signal), expired]).finally(() => clearTimeout(timer));
}

/**
 * Retries `probe` with exponential backoff (200 ms doubling to 5 s) until it resolves or the
 * time budget runs out; an attempt that hangs is abandoned when the budget does. A dependency
 * that comes up a little after us is normal under compose.
 * @throws StartupError naming the service, where it was looked for and why it failed, such
 * as "Redis at redis://127.0.0.1:1 refused the connection".
 */
export async function waitFor(
  probe: (signal: AbortSignal) => Promise<unknown>,
  options: WaitForOptions,
): Promise<void> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = 200;
  for (let attempts = 1; ; attempts += 1) {
    try {
      await attempt(probe, Math.max(deadline - Date.now(), MIN_ATTEMPT_MS));
      if (attempts > 1) options.log.info({ dependency: options.service }, 'dependency is up');
      return;
    } catch (error) {
      const reason = detailOf(error);
      const cause = outageCause(error);
      const final = options.isFinal?.(error) === true;
      if (final || Date.now() + delay > deadline || options.signal?.aborted) {
        const what = final ? 'refused' : (VERBS[cause ?? ''] ?? 'is unreachable');
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        throw new StartupError(
          `${options.service} at ${options.where} ${what}: ${reason} ` +
            `(${attempts} attempt${attempts > 1 ? 's' : ''} in ${seconds} s)`,
          { cause: error },
        );
      }
      options.log.warn(
        { dependency: options.service, where: options.where, attempt: attempts, reason, cause },
        'dependency not reachable yet',
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

import { isUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';

/** The same error is logged again after this long at the earliest. */
const REPEAT_AFTER_MS = 60_000;

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Logs an emitter's 'error' events through the service's logger. BullMQ prints them to
 * stderr itself when nobody listens: unredacted, with the failed command's arguments, and on
 * every reconnect attempt. An outage is a warning; the same message repeats once a minute.
 */
export function logErrorEvents(
  emitter: ErrorEmitter,
  fields: Record<string, unknown>,
  log: Logger,
): void {
  const lastSeen = new Map<string, number>();
  emitter.on('error', (error) => {
    const now = Date.now();
    if (now - (lastSeen.get(error.message) ?? -Infinity) < REPEAT_AFTER_MS) return;
    lastSeen.set(error.message, now);
    if (lastSeen.size > 100) lastSeen.clear();
    if (isUnavailable(error)) log.warn({ ...fields, err: error }, 'queue connection error');
    else log.error({ ...fields, err: error }, 'queue error');
  });
}

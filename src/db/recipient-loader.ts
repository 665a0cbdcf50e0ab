import type { CommonQueryMethods } from 'slonik';
import {
  getRecipient,
  getRecipients,
  type Recipient,
  type RecipientRequest,
} from './queries/users.js';

/** getRecipient, batched: see createRecipientLoader. */
export type LoadRecipient = (userId: number, matchId: number | null) => Promise<Recipient | null>;

interface Waiting extends RecipientRequest {
  resolve: (recipient: Recipient | null) => void;
  reject: (error: unknown) => void;
}

const resolved = Promise.resolve();

/**
 * Reads recipients the way getRecipient does, but gathers the requests made in the same turn
 * of the event loop (up to the end of its promise jobs) into one statement: a new proposal's
 * two messages, sent at once, cost one round trip instead of two. Each caller gets its own
 * row or null; if the shared statement fails, each request is read again alone, so each
 * caller also gets its own error.
 */
export function createRecipientLoader(db: CommonQueryMethods): LoadRecipient {
  let waiting: Waiting[] = [];

  const settleAlone = (call: Waiting) =>
    getRecipient(db, call.userId, call.matchId).then(call.resolve, call.reject);

  async function flush(): Promise<void> {
    const calls = waiting;
    waiting = [];
    if (calls.length === 1) return settleAlone(calls[0]!);
    let recipients: (Recipient | null)[];
    try {
      recipients = await getRecipients(db, calls);
    } catch {
      // A read changes nothing: asking each alone again is safe, and says whose request failed.
      await Promise.all(calls.map(settleAlone));
      return;
    }
    calls.forEach((call, i) => call.resolve(recipients[i] ?? null));
  }

  return (userId, matchId) =>
    new Promise<Recipient | null>((resolve, reject) => {
      waiting.push({ userId, matchId, resolve, reject });
      // The first request of a turn schedules the read after the turn's promise jobs, so
      // callers a few awaits apart (still without I/O in between) share it too.
      if (waiting.length === 1) void resolved.then(() => process.nextTick(() => void flush()));
    });
}

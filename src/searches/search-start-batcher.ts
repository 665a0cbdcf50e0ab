import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const startRow = z.object({
  outcome: z.enum([
    'not_found',
    'profile_incomplete',
    'suspended',
    'bot_blocked',
    'paused',
    'busy',
    'already',
    'queued',
  ]),
  topic_ids: z.array(z.number()).nullable(),
  tz: z.string().nullable(),
  requested_at: z.date().nullable(),
});

export type StartRow = z.infer<typeof startRow>;

/** search_start for one request: who may search and the new search, in one statement. */
export type StartSearch = (userId: number, requestId: string) => Promise<StartRow>;

const batchRow = startRow.extend({
  idx: z.number(),
  outcome: z.enum([...startRow.shape.outcome.options, 'error']),
});

export function startOne(db: DatabasePool): StartSearch {
  return (userId, requestId) =>
    db.one(sql.type(startRow)`
      SELECT outcome, topic_ids, tz, requested_at FROM search_start(${userId}, ${requestId})`);
}

interface Waiting {
  userId: number;
  requestId: string;
  resolve: (row: StartRow) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups the search_start calls that arrive within `windowMs` of the first (at most `maxSize`)
 * into one call of search_start_batch: one round trip and one commit for all of them. Each
 * caller still gets its own answer; a request the batch could not start, or every request of
 * a batch call that failed, is asked again alone, so each caller also gets its own error.
 * With `windowMs` 0 every call goes alone.
 */
export function createSearchStartBatcher(deps: {
  db: DatabasePool;
  windowMs: number;
  maxSize: number;
}): StartSearch {
  const alone = startOne(deps.db);
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  const settleAlone = (call: Waiting) =>
    alone(call.userId, call.requestId).then(call.resolve, call.reject);

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const calls = waiting;
    waiting = [];
    if (calls.length === 1) return settleAlone(calls[0]!);
    let rows: readonly z.infer<typeof batchRow>[];
    try {
      rows = await deps.db.any(sql.type(batchRow)`
        SELECT idx, outcome, topic_ids, tz, requested_at
        FROM search_start_batch(${sql.array(
          calls.map((call) => call.userId),
          'int8',
        )}, ${sql.array(
          calls.map((call) => call.requestId),
          'uuid',
        )})`);
    } catch {
      // Nothing of the batch was committed: each request on its own, with its own answer.
      await Promise.all(calls.map(settleAlone));
      return;
    }
    const byIndex = new Map(rows.map((row) => [row.idx, row]));
    const again: Waiting[] = [];
    calls.forEach((call, i) => {
      const row = byIndex.get(i + 1);
      if (!row || row.outcome === 'error') again.push(call);
      else call.resolve({ ...row, outcome: row.outcome });
    });
    await Promise.all(again.map(settleAlone));
  }

  return (userId, requestId) => {
    if (deps.windowMs <= 0) return alone(userId, requestId);
    return new Promise<StartRow>((resolve, reject) => {
      waiting.push({ userId, requestId, resolve, reject });
      if (waiting.length >= deps.maxSize) void flush();
      else timer ??= setTimeout(() => void flush(), deps.windowMs);
    });
  };
}

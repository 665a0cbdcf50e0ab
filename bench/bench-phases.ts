import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import { measureQueue, readStreamPosition } from '../src/streams/stream-admin.js';
import type { RedisKeys } from '../src/redis/keys.js';
import type { ApiClient } from './http-client.js';
import { scrapeMetrics } from './service-processes.js';
import { bucketQuantile, combineBuckets, parseHistogram, type Buckets } from './stats.js';

/** Runs `work` over `items` with at most `lanes` at a time and at most `perSecond` starts a second. */
export async function paced<T>(
  items: readonly T[],
  lanes: number,
  perSecond: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const started = Date.now();
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const due = started + (index / perSecond) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

export async function waitingPoolSize(db: pg.Pool): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM waiting_pool');
  return result.rows[0]?.n ?? 0;
}

/** Posts /match/find for each user; resolves with how many were accepted. */
export async function findAll(api: ApiClient, userIds: readonly number[], perSecond: number) {
  let accepted = 0;
  await paced(userIds, 64, perSecond, async (userId) => {
    const response = await api.post('/match/find', { user_id: userId });
    if (response.status === 200) accepted += 1;
  });
  return accepted;
}

export async function cancelAll(api: ApiClient, userIds: readonly number[], perSecond: number) {
  await paced(userIds, 64, perSecond, async (userId) => {
    await api.post('/match/cancel', { user_id: userId });
  });
}

/** The merged histogram of every matcher process. */
export async function matcherHistogram(ports: readonly number[], name: string): Promise<Buckets> {
  let merged: Buckets = new Map();
  for (const port of ports) {
    merged = combineBuckets(merged, parseHistogram(await scrapeMetrics(port), name), 1);
  }
  return merged;
}

export function histogramFigures(before: Buckets, after: Buckets) {
  const delta = combineBuckets(after, before, -1);
  const p50 = bucketQuantile(delta, 0.5);
  const p99 = bucketQuantile(delta, 0.99);
  return {
    count: p50.count,
    p50: { atMost: p50.bound, estimate: p50.estimate },
    p99: { atMost: p99.bound, estimate: p99.estimate },
  };
}

/** match.find as the matchers group sees it: backlog, pending, lag of the oldest entry. */
export async function streamFigures(redis: RedisClient, keys: RedisKeys) {
  const [queue, position, length, dead] = await Promise.all([
    measureQueue(redis, keys),
    readStreamPosition(redis, keys),
    redis.xlen(keys.matchFind),
    redis.xlen(keys.matchDead),
  ]);
  return {
    lagMs: queue.lagMs,
    unacknowledged: queue.size,
    pending: position?.pending ?? 0,
    undelivered: position?.lag ?? 0,
    streamLength: length,
    deadLetters: dead,
  };
}

/**
 * Waits until the pipeline has settled: nothing left in match.find, no search queued and no
 * proposal open (an ending proposal may requeue its searches), twice in a row a second apart,
 * and at least `minMs` passed. Gives up after `maxMs`. Nobody answers proposals any more by
 * then, so open ones expire within the proposal TTL.
 */
export async function drain(
  db: pg.Pool,
  redis: RedisClient,
  keys: RedisKeys,
  minMs: number,
  maxMs: number,
) {
  const started = Date.now();
  let calm = 0;
  for (;;) {
    const stream = await streamFigures(redis, keys);
    const open = await db.query<{ queued: number; open: number }>(
      `SELECT (SELECT count(*)::int FROM searches WHERE state = 'queued') AS queued,
              (SELECT count(*)::int FROM matches WHERE status = 'proposed') AS open`,
    );
    const { queued = 0, open: proposals = 0 } = open.rows[0] ?? {};
    calm = stream.unacknowledged === 0 && queued === 0 && proposals === 0 ? calm + 1 : 0;
    const elapsed = Date.now() - started;
    if ((calm >= 2 && elapsed >= minMs) || elapsed >= maxMs) {
      return {
        settled: calm >= 2,
        ms: elapsed,
        queuedSearches: queued,
        openProposals: proposals,
        ...stream,
      };
    }
    await sleep(1_000);
  }
}

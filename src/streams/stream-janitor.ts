import type { RedisClient } from '../redis/client.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { MATCHER_GROUP, type RedisKeys } from '../redis/keys.js';
import {
  readStreamPosition,
  toFields,
  type StreamAdmin,
  type StreamEntry,
} from './stream-admin.js';

export interface StreamJanitorDeps {
  redis: RedisClient;
  keys: RedisKeys;
  admin: StreamAdmin;
  metrics: Metrics;
  log: Logger;
  consumer: string;
  /** Reclaim entries idle longer than this (longer than the slowest handler). */
  claimIdleMs: number;
  /** Dead-letter an entry delivered this many times. */
  maxDeliveries: number;
  /** Handles reclaimed entries the way the worker does; resolves when they may be acked. */
  handle: (entries: StreamEntry[]) => Promise<void>;
}

type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

/**
 * Housekeeping for match.find, run periodically by every matcher process:
 * dead-letters entries delivered too often, reclaims idle ones (XAUTOCLAIM) from consumers
 * that died, and trims acknowledged entries (never pending or undelivered ones).
 */
export function createStreamJanitor(deps: StreamJanitorDeps) {
  const { redis, keys, log, metrics } = deps;

  async function deadLetterExhausted(): Promise<void> {
    const rows = (await redis.xpending(
      keys.matchFind,
      MATCHER_GROUP,
      'IDLE',
      deps.claimIdleMs,
      '-',
      '+',
      100,
    )) as PendingRow[];
    for (const [id, , , deliveries] of rows) {
      if (deliveries < deps.maxDeliveries) continue;
      if (await deps.admin.deadLetter(id, 'too many deliveries', deliveries)) {
        metrics.dead.inc();
        log.warn({ entryId: id, deliveries }, 'match request dead-lettered');
      }
    }
  }

  async function reclaim(): Promise<number> {
    const [, claimed] = (await redis.xautoclaim(
      keys.matchFind,
      MATCHER_GROUP,
      deps.consumer,
      deps.claimIdleMs,
      '0-0',
      'COUNT',
      50,
    )) as [string, [string, string[] | null][]];
    const entries = claimed
      .filter((entry) => entry !== null)
      .map(([id, flat]) => ({ id, fields: toFields(flat ?? []) }));
    if (entries.length) {
      log.info({ count: entries.length }, 'reclaimed idle match requests');
      await deps.handle(entries);
    }
    return entries.length;
  }

  /** Trims below the oldest entry anyone still needs: the oldest pending or undelivered. */
  async function trim(): Promise<void> {
    const position = await readStreamPosition(redis, keys);
    if (!position) return;
    const floor = position.oldestPending ?? position.firstUndelivered ?? position.lastDelivered;
    if (floor !== '0-0') await redis.xtrim(keys.matchFind, 'MINID', '~', floor);
  }

  return {
    /** One round; errors of one step do not stop the others. */
    async tick(): Promise<void> {
      for (const step of [deadLetterExhausted, reclaim, trim]) {
        try {
          await step();
        } catch (error) {
          if (String((error as Error).message).includes('NOGROUP')) {
            await deps.admin.ensureGroup().catch(() => undefined);
            continue;
          }
          log.error({ err: error, step: step.name }, 'stream janitor step failed');
        }
      }
    },
  };
}

export type StreamJanitor = ReturnType<typeof createStreamJanitor>;

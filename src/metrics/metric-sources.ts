import type { Queue } from 'bullmq';
import type { RedisClient } from '../redis/client.js';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { measureQueue } from '../streams/stream-admin.js';
import type { RedisKeys } from '../redis/keys.js';
import type { MetricSources } from './metrics.js';

export interface MetricSourceDeps {
  redis: RedisClient;
  keys: RedisKeys;
  db: DatabasePool;
  outboundQueue: Queue;
}

/** Scrape-time readings of state shared by all processes (Redis streams, PostgreSQL, queues). */
export function createMetricSources(deps: MetricSourceDeps): MetricSources {
  return {
    queue: () => measureQueue(deps.redis, deps.keys),
    waitingPool: () =>
      deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM waiting_pool`),
    async acceptRate() {
      const row = await deps.db.one(sql.type(
        z.object({ decided: z.number(), confirmed: z.number() }),
      )`
        SELECT count(*)::int AS decided,
               (count(*) FILTER (WHERE status = 'active'))::int AS confirmed
        FROM matches WHERE decided_at > now() - interval '60 minutes'`);
      // NaN when nothing was decided: "no data" must not read as a 0% accept rate.
      return row.decided ? row.confirmed / row.decided : Number.NaN;
    },
    async outboundDepth() {
      const counts = await deps.outboundQueue.getJobCounts('waiting', 'delayed', 'prioritized');
      return Object.values(counts).reduce((sum, value) => sum + value, 0);
    },
  };
}

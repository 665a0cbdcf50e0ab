import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { wakingMinutes } from '../time/waking-hours.js';
import { createMatcherWorker } from '../matcher/matcher-worker.js';
import { createStreamAdmin } from '../streams/stream-admin.js';
import { createStreamJanitor } from '../streams/stream-janitor.js';
import { periodic, type RoleFactory } from './role.js';

/**
 * The matcher role: consumes match.find in the consumer group (each process one consumer),
 * and runs the janitor that reclaims, dead-letters and trims its entries.
 */
export const matcherRole: RoleFactory = ({ resources, core }) => {
  const { config, redis, keys, metrics, log } = resources;
  const admin = createStreamAdmin(redis, keys);
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const matcher = createMatcherWorker({
    blockingRedis: resources.redisClient(`tete-matcher-${consumer}`, true),
    keys,
    admin,
    db: resources.db,
    runtime: core.runtime,
    metrics,
    log,
    consumer,
    batchSize: config.MATCHER_BATCH_SIZE,
    concurrency: config.MATCHER_CONCURRENCY,
    batchCalls: config.MATCHER_BATCH_CALLS,
    blockMs: config.MATCHER_BLOCK_MS,
    maxRequeues: config.MAX_REQUEUES,
    claim: {
      proposalTtlMs: config.PROPOSAL_TTL_SECONDS * 1000,
      wakingMinutes: wakingMinutes(config.WAKING_HOURS),
      onSelect: (ms: number) => metrics.selectMs.observe(ms),
    },
  });
  const janitor = createStreamJanitor({
    redis,
    keys,
    admin,
    metrics,
    log,
    consumer,
    claimIdleMs: config.MATCHER_CLAIM_IDLE_SECONDS * 1000,
    maxDeliveries: config.MATCHER_MAX_DELIVERIES,
    handle: matcher.handleBatch,
  });
  return {
    routers: [],
    components: [
      { name: 'matcher', start: () => matcher.start(), stop: () => matcher.stop() },
      periodic(resources, 'stream janitor', config.STREAM_JANITOR_INTERVAL_MS, () =>
        janitor.tick(),
      ),
    ],
  };
};

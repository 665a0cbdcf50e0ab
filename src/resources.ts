import { Queue } from 'bullmq';
import { sql, type DatabasePool } from 'slonik';
import type { RedisClient } from './redis/client.js';
import { maskUrl, redisWhere, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createMetricSources } from './metrics/metric-sources.js';
import { createDbPool } from './db/pool.js';
import { migrate } from './db/migrate.js';
import { closeRedis, connectRedis, createRedisClient } from './redis/client.js';
import { createRedisKeys, QUEUE_NAMES, type QueueName, type RedisKeys } from './redis/keys.js';
import type { Stoppable } from './startup/lifecycle.js';
import { waitFor } from './startup/wait-for.js';
import { logErrorEvents } from './startup/error-events.js';
import { reportRedisPolicy } from './startup/redis-policy.js';
import { createProposalInspector, type ProposalInspector } from './proposals/proposal-inspector.js';
import type { ProposalTimerData } from './proposals/proposal-timers.js';
import type { ChatIdleData } from './chats/chat-timers.js';
import type { OutboundMessage } from './outbound/outbound-message.js';
import type { WakeHoldData } from './time/wake-hold.js';
import type { PauseEndData } from './pauses/pause-service.js';

/** The process's connections and shared objects: what every role and the core are built on. */
export interface Resources {
  config: Config;
  log: Logger;
  db: DatabasePool;
  redis: RedisClient;
  keys: RedisKeys;
  metrics: Metrics;
  queues: {
    proposalTimers: Queue<ProposalTimerData>;
    chatTimers: Queue<ChatIdleData>;
    outbound: Queue<OutboundMessage>;
    heldMessages: Queue<OutboundMessage>;
    wakeHolds: Queue<WakeHoldData>;
    pauseTimers: Queue<PauseEndData>;
  };
  /** BullMQ's connection and a queue's key prefix, for the workers the roles start. */
  queueOptions(queue: QueueName): { connection: RedisClient; prefix: string };
  inspector?: ProposalInspector;
  /** Opens another Redis connection, closed on shutdown (`blocking`: retries forever). */
  redisClient(name: string, blocking?: boolean): RedisClient;
}

export interface OpenOptions {
  config: Config;
  log: Logger;
  /** Registers what was opened, to be closed on shutdown in reverse order. */
  onOpen: (item: Stoppable) => void;
  /** Apply pending migrations first (true for `npm start`). */
  migrate?: boolean;
}

/**
 * Connects to PostgreSQL and Redis (waiting up to STARTUP_TIMEOUT_SECONDS for each) and
 * creates the queues, metrics and inspector.
 * @throws StartupError when PostgreSQL or Redis stays unreachable.
 */
export async function openResources(options: OpenOptions): Promise<Resources> {
  const { config, log, onOpen } = options;
  const timeoutMs = config.STARTUP_TIMEOUT_SECONDS * 1000;
  const pg = { service: 'PostgreSQL', where: maskUrl(config.DATABASE_URL), timeoutMs, log };
  if (options.migrate) {
    await waitFor(() => migrate({ databaseUrl: config.DATABASE_URL, log }), pg);
  }
  const db = await createDbPool({
    url: config.DATABASE_URL,
    size: config.DATABASE_POOL_SIZE,
    applicationName: `tete-${config.ROLES.join('+')}`,
  });
  onOpen({ name: 'postgres', stop: () => db.end() });
  await waitFor(() => db.query(sql.unsafe`SELECT 1`), pg);

  const redisClient = (name: string, blocking = false) => {
    const client = createRedisClient({
      url: config.REDIS_URL,
      clusterNodes: config.REDIS_CLUSTER_NODES,
      name,
      log,
      blocking,
    });
    onOpen({ name: `redis ${name}`, stop: () => closeRedis(client) });
    return client;
  };
  const redis = redisClient('tete');
  await waitFor(() => connectRedis(redis), {
    service: 'Redis',
    where: redisWhere(config),
    timeoutMs,
    log,
  });
  await reportRedisPolicy(redis, log);
  const keys = createRedisKeys(config.REDIS_PREFIX);
  // BullMQ wants its own connection that retries forever rather than failing commands.
  const bullConnection = redisClient('tete-bull', true);
  const queueOptions = (queue: QueueName) => ({
    connection: bullConnection,
    prefix: keys.queuePrefix(queue),
  });
  const { proposalTimers, chatTimers, outbound, heldMessages, wakeHolds, pauseTimers } =
    QUEUE_NAMES;
  const queues = {
    proposalTimers: new Queue<ProposalTimerData>(proposalTimers, queueOptions(proposalTimers)),
    chatTimers: new Queue<ChatIdleData>(chatTimers, queueOptions(chatTimers)),
    outbound: new Queue<OutboundMessage>(outbound, queueOptions(outbound)),
    heldMessages: new Queue<OutboundMessage>(heldMessages, queueOptions(heldMessages)),
    wakeHolds: new Queue<WakeHoldData>(wakeHolds, queueOptions(wakeHolds)),
    pauseTimers: new Queue<PauseEndData>(pauseTimers, queueOptions(pauseTimers)),
  };
  for (const queue of Object.values(queues)) {
    logErrorEvents(queue, { queue: queue.name }, log);
    onOpen({ name: `queue ${queue.name}`, stop: () => queue.close() });
  }
  // A queue closed while its connection is still being set up (a stop right after the start,
  // likelier on a cluster) has BullMQ emit that set-up's failure with no listener left, which
  // ends the process: start only once every queue is ready.
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));
  const metrics = createMetrics(
    createMetricSources({ redis, keys, db, outboundQueue: queues.outbound }),
  );
  const inspector = config.INSPECT ? createProposalInspector(config.INSPECT) : undefined;
  if (inspector) onOpen({ name: 'inspector', stop: () => Promise.resolve(inspector.stop()) });
  return { config, log, db, redis, keys, metrics, queues, queueOptions, inspector, redisClient };
}

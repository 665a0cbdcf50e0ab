import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Router } from '@koa/router';
import type { UserFromGetMe } from 'grammy/types';
import { sql, type DatabasePool } from 'slonik';
import type { Redis } from 'ioredis';
import { maskUrl, type Config, type Role } from './config.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createMetricSources } from './metrics/metric-sources.js';
import { createDbPool } from './db/pool.js';
import { migrate } from './db/migrate.js';
import { closeRedis, connectRedis, createRedisClient } from './redis/client.js';
import { createRedisKeys, QUEUE_NAMES, type RedisKeys } from './redis/keys.js';
import { createHttpServer } from './api/server.js';
import { createHealthRouter } from './api/routes/health.js';
import { createMatchRouter } from './api/routes/match.js';
import { createLifecycle } from './startup/lifecycle.js';
import { startPeriodic } from './startup/periodic.js';
import { waitFor } from './startup/wait-for.js';
import { logErrorEvents } from './startup/error-events.js';
import { reportRedisPolicy } from './startup/redis-policy.js';
import { createServices, type Services } from './services.js';
import { createProposalInspector } from './proposals/proposal-inspector.js';
import {
  createProposalTimerProcessor,
  type ProposalTimerData,
} from './proposals/proposal-timers.js';
import type { OutboundMessage } from './outbound/outbound-message.js';
import type { ChatIdleData } from './chats/chat-timers.js';
import { createMatcherWorker } from './matcher/matcher-worker.js';
import { createStreamAdmin } from './matcher/stream-admin.js';
import { createStreamJanitor } from './matcher/stream-janitor.js';
import { startBot } from './bot/bot-runner.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Apply pending migrations before starting roles (true for `npm start`). */
  migrate?: boolean;
  /** The bot's identity when already known: skips getMe (tests, the sandbox). */
  botInfo?: UserFromGetMe;
}

export interface AppDeps {
  config: Config;
  log: Logger;
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  metrics: Metrics;
  services: Services;
}

export interface App {
  readonly deps: AppDeps;
  readonly address: AddressInfo;
  readonly roles: readonly Role[];
  stop(): Promise<void>;
}

/**
 * The composition root: the one place that creates pools, clients, queues and workers, and
 * starts the roles listed in ROLES. Resolves once everything is listening.
 * @throws StartupError when PostgreSQL or Redis stays unreachable past STARTUP_TIMEOUT_SECONDS.
 */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, log } = options;
  const lifecycle = createLifecycle(log);
  const timeoutMs = config.STARTUP_TIMEOUT_SECONDS * 1000;
  const pg = { service: 'PostgreSQL', where: maskUrl(config.DATABASE_URL), timeoutMs, log };

  try {
    if (options.migrate) {
      await waitFor(() => migrate({ databaseUrl: config.DATABASE_URL, log }), pg);
    }
    const db = await createDbPool({ url: config.DATABASE_URL, size: config.DATABASE_POOL_SIZE });
    lifecycle.add({ name: 'postgres', stop: () => db.end() });
    await waitFor(() => db.query(sql.unsafe`SELECT 1`), pg);

    const redisClient = (name: string, blocking = false) => {
      const client = createRedisClient({ url: config.REDIS_URL, name, log, blocking });
      lifecycle.add({ name: `redis ${name}`, stop: () => closeRedis(client) });
      return client;
    };
    const redis = redisClient('tete');
    await waitFor(() => connectRedis(redis), {
      service: 'Redis',
      where: maskUrl(config.REDIS_URL),
      timeoutMs,
      log,
    });
    await reportRedisPolicy(redis, log);
    // BullMQ wants its own connection that retries forever rather than failing commands.
    const bullRedis = redisClient('tete-bull', true);
    const connection = bullRedis as unknown as ConnectionOptions;
    const keys = createRedisKeys(config.REDIS_PREFIX);
    const queueOptions = { connection, prefix: keys.bullPrefix };
    const queues = {
      proposalTimers: new Queue<ProposalTimerData>(QUEUE_NAMES.proposalTimers, queueOptions),
      chatTimers: new Queue<ChatIdleData>(QUEUE_NAMES.chatTimers, queueOptions),
      outbound: new Queue<OutboundMessage>(QUEUE_NAMES.outbound, queueOptions),
    };
    for (const queue of Object.values(queues)) {
      logErrorEvents(queue, { queue: queue.name }, log);
      lifecycle.add({ name: `queue ${queue.name}`, stop: () => queue.close() });
    }
    const metrics = createMetrics(
      createMetricSources({ redis, keys, db, outboundQueue: queues.outbound }),
    );
    const inspector = config.INSPECT ? createProposalInspector(config.INSPECT) : undefined;
    if (inspector) {
      lifecycle.add({ name: 'inspector', stop: () => Promise.resolve(inspector.stop()) });
    }
    const services = createServices({ config, log, db, redis, keys, metrics, queues, inspector });
    const deps: AppDeps = { config, log, db, redis, keys, metrics, services };

    const roles = config.ROLES.filter((role) => {
      if (role !== 'bot' || config.BOT_TOKEN) return true;
      log.warn('bot role is off: BOT_TOKEN is not set');
      return false;
    });
    const worker = <T>(
      name: string,
      processor: Processor<T>,
      extra: Partial<WorkerOptions> = {},
    ) => {
      const created = new Worker<T>(name, processor, { ...queueOptions, ...extra });
      logErrorEvents(created, { queue: name }, log);
      created.on('failed', (job, error) =>
        log.warn({ queue: name, jobId: job?.id, reason: error.message }, 'job failed'),
      );
      lifecycle.add({ name: `worker ${name}`, stop: () => created.close() });
      return created;
    };
    const every = (name: string, ms: number, task: () => Promise<unknown>) => {
      const periodic = startPeriodic(name, ms, task, log);
      lifecycle.add({ name, stop: periodic.stop });
    };

    if (roles.includes('timers')) {
      worker(QUEUE_NAMES.proposalTimers, createProposalTimerProcessor(services.runtime), {
        concurrency: 16,
      });
      worker<ChatIdleData>(
        QUEUE_NAMES.chatTimers,
        (job, token) => services.chats.processIdle(job, token),
        {
          concurrency: 4,
        },
      );
      const sweepMs = config.SWEEP_INTERVAL_SECONDS * 1000;
      every('reconciler', sweepMs, async () => {
        await services.reconciler.reconcileProposals();
        await services.chats.rearmIdleTimers();
      });
      every('effect sweeper', Math.min(sweepMs, 5_000), () => services.effectSweeper.sweep());
      every('search sweeper', sweepMs, async () => {
        await services.searchSweeper.expireSearches();
        await services.searchSweeper.reannounceStuck();
      });
    }

    if (roles.includes('matcher')) {
      const admin = createStreamAdmin(redis, keys);
      const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      const matcher = createMatcherWorker({
        blockingRedis: redisClient(`tete-matcher-${consumer}`, true),
        keys,
        admin,
        db,
        runtime: services.runtime,
        metrics,
        log,
        consumer,
        batchSize: config.MATCHER_BATCH_SIZE,
        concurrency: config.MATCHER_CONCURRENCY,
        blockMs: 1_000,
        maxRequeues: config.MAX_REQUEUES,
        claim: services.claimOptions,
      });
      await matcher.start();
      lifecycle.add({ name: 'matcher', stop: () => matcher.stop() });
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
      every('stream janitor', 2_000, () => janitor.tick());
    }

    const routers: Router[] = [
      createHealthRouter({
        db,
        redis,
        registry: metrics.registry,
        isShuttingDown: () => lifecycle.isStopping,
        log,
      }),
    ];
    if (roles.includes('api')) {
      routers.push(
        createMatchRouter({
          matching: services.matching,
          internalApiToken: config.INTERNAL_API_TOKEN,
        }),
      );
      if (!config.INTERNAL_API_TOKEN)
        log.warn('/match/* refuses every call: INTERNAL_API_TOKEN is not set');
    }
    if (roles.includes('bot') && config.BOT_TOKEN) {
      const bot = await startBot({
        config,
        token: config.BOT_TOKEN,
        botInfo: options.botInfo,
        services,
        db,
        redis,
        keys,
        metrics,
        log,
        outboundQueue: queues.outbound,
        worker,
        routers,
      });
      lifecycle.add({ name: 'bot', stop: bot.stop });
    }

    const http = createHttpServer({ log, metrics, routers });
    const address = await http.listen(config.PORT, config.HOST);
    lifecycle.add({ name: 'http', stop: () => http.close() });
    log.info({ port: address.port, roles }, 'tete started');
    return { deps, address, roles, stop: () => lifecycle.stop() };
  } catch (error) {
    await lifecycle.stop();
    throw error;
  }
}

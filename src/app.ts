import type { AddressInfo } from 'node:net';
import { sql, type DatabasePool } from 'slonik';
import type { Redis } from 'ioredis';
import { maskUrl, type Config, type Role } from './config.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createDbPool } from './db/pool.js';
import { migrate } from './db/migrate.js';
import { createRedisClient } from './redis/client.js';
import { createRedisKeys, type RedisKeys } from './redis/keys.js';
import { createHttpServer } from './api/server.js';
import { createHealthRouter } from './api/routes/health.js';
import { createLifecycle } from './startup/lifecycle.js';
import { waitFor } from './startup/wait-for.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Apply pending migrations before starting roles (true for `npm start`). */
  migrate?: boolean;
}

export interface AppDeps {
  config: Config;
  log: Logger;
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  metrics: Metrics;
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

  try {
    if (options.migrate) {
      await waitFor(() => migrate({ databaseUrl: config.DATABASE_URL, log }), {
        service: 'PostgreSQL',
        where: maskUrl(config.DATABASE_URL),
        timeoutMs,
        log,
      });
    }
    const db = await createDbPool({ url: config.DATABASE_URL, size: config.DATABASE_POOL_SIZE });
    lifecycle.add({ name: 'postgres', stop: () => db.end() });
    await waitFor(() => db.query(sql.unsafe`SELECT 1`), {
      service: 'PostgreSQL',
      where: maskUrl(config.DATABASE_URL),
      timeoutMs,
      log,
    });

    const redis = createRedisClient({ url: config.REDIS_URL, name: 'tete', log });
    lifecycle.add({ name: 'redis', stop: async () => void (await redis.quit()) });
    await waitFor(
      () =>
        redis.connect().catch((error: unknown) => {
          redis.disconnect();
          throw error;
        }),
      {
        service: 'Redis',
        where: maskUrl(config.REDIS_URL),
        timeoutMs,
        log,
      },
    );

    const metrics = createMetrics();
    const keys = createRedisKeys(config.REDIS_PREFIX);
    const deps: AppDeps = { config, log, db, redis, keys, metrics };

    const http = createHttpServer({
      log,
      metrics,
      routers: [
        createHealthRouter({
          db,
          redis,
          registry: metrics.registry,
          isShuttingDown: () => lifecycle.isStopping,
        }),
      ],
    });
    const address = await http.listen(config.PORT, config.HOST);
    lifecycle.add({ name: 'http', stop: () => http.close() });

    const roles = config.ROLES.filter((role) => {
      if (role === 'bot' && !config.BOT_TOKEN) {
        log.warn('bot role is off: BOT_TOKEN is not set');
        return false;
      }
      return true;
    });
    log.info({ port: address.port, roles }, 'tete started');
    return { deps, address, roles, stop: () => lifecycle.stop() };
  } catch (error) {
    await lifecycle.stop();
    throw error;
  }
}

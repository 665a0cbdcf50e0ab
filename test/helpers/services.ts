import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Cluster, Redis } from 'ioredis';
import { parseConfig, type Config } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { deleteKeys } from '../../src/redis/delete-keys.js';
import type { RedisClient } from '../../src/redis/client.js';

/** Where the local services live; override for a non-default setup. */
export const SERVER_PG_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Seed nodes (`host:port,...`) of the Redis Cluster that the second pass of the suites runs
 * against (see test/helpers/cluster-pass.ts); empty for the pass on the single server.
 */
export const TEST_REDIS_CLUSTER_NODES = process.env.TEST_REDIS_CLUSTER_NODES ?? '';

/** The Redis settings of the service under test, for a spawned process's environment. */
export const TEST_REDIS_ENV = {
  REDIS_URL: TEST_REDIS_URL,
  REDIS_CLUSTER_NODES: TEST_REDIS_CLUSTER_NODES,
};

/** A client of the test itself on the Redis the service under test uses (server or cluster). */
export function testRedis(options: { maxRetriesPerRequest?: number } = {}): RedisClient {
  if (!TEST_REDIS_CLUSTER_NODES) return new Redis(TEST_REDIS_URL, options);
  const nodes = TEST_REDIS_CLUSTER_NODES.split(',').map((node) => {
    const [host, port] = node.split(':');
    return { host: host!, port: Number(port) };
  });
  return new Cluster(nodes, { redisOptions: options });
}

/** Unique per test process, so concurrent runs never share a database or a key. */
export const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
export const TEST_DB_NAME = `tete_test_${RUN_ID}`;
export const TEST_DB_URL = `${SERVER_PG_URL}/${TEST_DB_NAME}`;
export const TEST_REDIS_PREFIX = `test-${RUN_ID}:`;

const HOW_TO_START = {
  postgres:
    'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
    '(or: docker compose up -d postgres)',
  redis:
    'start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" ' +
    '--appendonly no (or: docker compose up -d redis)',
};

let prepared: Promise<void> | undefined;
let databaseCreated = false;

async function checkPostgres(): Promise<void> {
  const client = new pg.Client({
    connectionString: `${SERVER_PG_URL}/postgres`,
    connectionTimeoutMillis: 2_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${SERVER_PG_URL} (${(error as Error).message}); ${HOW_TO_START.postgres}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(): Promise<void> {
  const redis = TEST_REDIS_CLUSTER_NODES
    ? testRedis()
    : new Redis(TEST_REDIS_URL, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
  try {
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message}); ${HOW_TO_START.redis}`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks that PostgreSQL and Redis answer, then creates and migrates this run's database.
 * Call it from a `before` hook of every integration suite; the work happens once per run.
 */
export function prepareServices(): Promise<void> {
  prepared ??= (async () => {
    await Promise.all([checkPostgres(), checkRedis()]);
    databaseCreated = true;
    await migrate({ databaseUrl: TEST_DB_URL });
  })();
  return prepared;
}

/**
 * Drops this run's databases (its own and those derived from it, such as a sandbox's) and
 * deletes every key under this run's prefix, where sandboxes keep theirs too.
 */
export async function cleanupServices(): Promise<void> {
  if (!databaseCreated) return;
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)`,
      [TEST_DB_NAME],
    );
    for (const { name } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
  const redis = testRedis();
  try {
    await deleteKeys(redis, `${TEST_REDIS_PREFIX}*`);
  } finally {
    redis.disconnect();
  }
}

/**
 * A valid config for this run's database and key prefix, with `overrides` applied. A test
 * that names a REDIS_URL of its own (a private server, a dead port) gets that server alone.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const redis = overrides.REDIS_URL ? { REDIS_CLUSTER_NODES: '' } : TEST_REDIS_ENV;
  return parseConfig({
    DATABASE_URL: TEST_DB_URL,
    ...redis,
    REDIS_PREFIX: TEST_REDIS_PREFIX,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    STARTUP_TIMEOUT_SECONDS: '5',
    ...overrides,
  });
}

/** A config's REDIS_CLUSTER_NODES as the environment spells it, for a spawned process. */
export function clusterNodesEnv(config: Config): string {
  return (config.REDIS_CLUSTER_NODES ?? []).map((node) => `${node.host}:${node.port}`).join(',');
}

import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export type { Redis, Cluster };

/** A connection to one Redis server or to a Redis Cluster; both speak the same commands. */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  host: string;
  port: number;
}

export interface RedisClientOptions {
  /** The single server; with `clusterNodes`, only its user, password and TLS are used. */
  url: string;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); absent for a single server. */
  clusterNodes?: readonly RedisNode[];
  /** Shown in CLIENT LIST, which helps when many processes share one Redis. */
  name: string;
  /**
   * BullMQ and blocking reads need `null` (retry forever while Redis is away); plain
   * commands fail fast so a request can answer 503 instead of hanging.
   */
  blocking?: boolean;
  log: Logger;
}

const retryDelay = (times: number) => Math.min(times * 200, 2_000);

/** The credentials and TLS of a redis:// or rediss:// URL, which cluster nodes share. */
function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function createCluster(options: RedisClientOptions, nodes: readonly RedisNode[]): Cluster {
  const clusterOptions: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: true,
    clusterRetryStrategy: retryDelay,
    // A failover moves slots: ioredis follows MOVED/ASK and refreshes the slot map itself;
    // while a replica is being promoted, commands wait and retry instead of failing.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    maxRedirections: 32,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...credentialsOf(options.url),
      connectionName: options.name,
      maxRetriesPerRequest: options.blocking ? null : 2,
    },
  };
  return new Cluster(
    nodes.map((node) => ({ ...node })),
    clusterOptions,
  );
}

export function createRedisClient(options: RedisClientOptions): RedisClient {
  const client: RedisClient = options.clusterNodes?.length
    ? createCluster(options, options.clusterNodes)
    : new Redis(options.url, {
        connectionName: options.name,
        lazyConnect: true,
        maxRetriesPerRequest: options.blocking ? null : 2,
        enableOfflineQueue: true,
        retryStrategy: retryDelay,
      });
  // Without a listener ioredis prints every reconnect failure to stderr; log once per outage.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    options.log.warn({ client: options.name, err: error }, 'redis connection error');
  });
  client.on('ready', () => {
    if (down) options.log.info({ client: options.name }, 'redis connection restored');
    down = false;
  });
  return client;
}

/** The last 'error' event of each client that `connectRedis` has connected. */
const lastErrors = new WeakMap<RedisClient, Error>();

/**
 * Connects a lazy client. ioredis rejects a failed connect with "Connection is closed.";
 * the reason (refused, unknown host, wrong password) only comes as an 'error' event, and
 * after a `disconnect()` it stops emitting connection errors altogether, so the reason of
 * the first failure is kept and is what this rejects with.
 */
export async function connectRedis(client: RedisClient): Promise<void> {
  if (!lastErrors.has(client)) {
    client.on('error', (error: Error) => lastErrors.set(client, error));
  }
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw lastErrors.get(client) ?? error;
  }
}

/** Closes a client: politely when it is connected, at once when it never was or is away. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}

/**
 * The servers that hold the data: the one server, or every master of a cluster. For what a
 * command answers per server (SCAN walks one; INFO describes one).
 */
export async function serversOf(redis: RedisClient): Promise<Redis[]> {
  if (!redis.isCluster) return [redis as Redis];
  const cluster = redis as Cluster;
  if (cluster.status !== 'ready') await cluster.ping();
  return cluster.nodes('master');
}

import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export type { Redis };

export interface RedisClientOptions {
  url: string;
  /** Shown in CLIENT LIST, which helps when many processes share one Redis. */
  name: string;
  /**
   * BullMQ and blocking reads need `null` (retry forever while Redis is away); plain
   * commands fail fast so a request can answer 503 instead of hanging.
   */
  blocking?: boolean;
  log: Logger;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    connectionName: options.name,
    lazyConnect: true,
    maxRetriesPerRequest: options.blocking ? null : 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
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
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Connects a lazy client. ioredis rejects a failed connect with "Connection is closed.";
 * the reason (refused, unknown host, wrong password) only comes as an 'error' event, and
 * after a `disconnect()` it stops emitting connection errors altogether, so the reason of
 * the first failure is kept and is what this rejects with.
 */
export async function connectRedis(client: Redis): Promise<void> {
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
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}

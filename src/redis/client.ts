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
    options.log.warn({ client: options.name, reason: error.message }, 'redis connection error');
  });
  client.on('ready', () => {
    if (down) options.log.info({ client: options.name }, 'redis connection restored');
    down = false;
  });
  return client;
}

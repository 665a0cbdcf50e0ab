import type { Redis } from 'ioredis';
import { serversOf, type RedisClient } from './client.js';

/** Walks the keys matching `pattern`, a batch at a time, without blocking Redis (SCAN). */
async function eachBatch(
  redis: RedisClient,
  pattern: string,
  onBatch: (server: Redis, keys: string[]) => Promise<void> | void,
): Promise<void> {
  for (const server of await serversOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await onBatch(server, keys);
    } while (cursor !== '0');
  }
}

/** Every key matching `pattern` (for tests and tools; SCAN, so never blocking Redis). */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  await eachBatch(redis, pattern, (_server, keys) => void found.push(...keys));
  return found;
}

/** Deletes every key matching `pattern`, in batches, without blocking Redis (SCAN + UNLINK). */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  await eachBatch(redis, pattern, async (server, keys) => {
    // One UNLINK per key: on a cluster node the keys of a batch lie in many slots.
    const replies = (await server.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? [];
    for (const [error, count] of replies) {
      if (error) throw error;
      deleted += Number(count);
    }
  });
  return deleted;
}

import type { RedisClient } from '../../redis/client.js';
import type { RedisKeys } from '../../redis/keys.js';

/** What is limited: commands and button presses, and starting a search. */
export const RATE_LIMIT_SCOPES = ['cmd', 'find'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/**
 * A fixed one-minute window per user and scope. Returns false once the user has used up
 * `limit` actions in the current minute.
 */
export async function withinLimit(
  redis: RedisClient,
  keys: RedisKeys,
  scope: RateLimitScope,
  userId: number,
  limit: number,
): Promise<boolean> {
  const key = keys.rateLimit(scope, userId);
  const [[, count]] = (await redis.multi().incr(key).expire(key, 60, 'NX').exec()) as [
    [Error | null, number],
    [Error | null, number],
  ];
  return count <= limit;
}

import type { RedisClient } from '../redis/client.js';
import type { Logger } from '../logger.js';

/**
 * Why this Redis is dangerous to run on, or undefined when it is not. Any maxmemory-policy
 * but noeviction lets Redis drop keys when memory runs short: the match.find stream, queued
 * jobs, proposal snapshots, and searches then vanish without an error. Read through INFO,
 * which managed Redis services allow where they refuse CONFIG GET.
 */
export async function evictionProblem(redis: RedisClient): Promise<string | undefined> {
  const info = await redis.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy === undefined || policy === 'noeviction') return undefined;
  return (
    `Redis maxmemory-policy is ${policy}: RedisClient may evict the match.find stream, queued ` +
    'jobs and proposals; set it to noeviction (CONFIG SET maxmemory-policy noeviction)'
  );
}

/** Says at start-up, at error level, that this Redis may evict; readiness fails meanwhile. */
export async function reportRedisPolicy(redis: RedisClient, log: Logger): Promise<void> {
  const problem = await evictionProblem(redis);
  if (problem) log.error({ problem }, 'refusing to report ready on this Redis');
}

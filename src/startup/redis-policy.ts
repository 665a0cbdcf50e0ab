import { serversOf, type RedisClient } from '../redis/client.js';
import type { Logger } from '../logger.js';

/**
 * Why this Redis is dangerous to run on, or undefined when it is not. Any maxmemory-policy
 * but noeviction lets Redis drop keys when memory runs short: the match.find stream, queued
 * jobs, proposal snapshots, and searches then vanish without an error. Read through INFO,
 * which managed Redis services allow where they refuse CONFIG GET; on a cluster from every
 * master, since each holds its own share of the keys and has its own setting.
 */
export async function evictionProblem(redis: RedisClient): Promise<string | undefined> {
  const servers = await serversOf(redis);
  for (const [index, server] of servers.entries()) {
    const info = await server.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    if (policy === undefined || policy === 'noeviction') continue;
    // Which master is told by its position, not its address: /readyz is public.
    const where = redis.isCluster ? ` on cluster master ${index + 1} of ${servers.length}` : '';
    return (
      `Redis maxmemory-policy is ${policy}${where}: Redis may evict the match.find stream, ` +
      'queued jobs and proposals; set it to noeviction (CONFIG SET maxmemory-policy noeviction)'
    );
  }
  return undefined;
}

/** Says at start-up, at error level, that this Redis may evict; readiness fails meanwhile. */
export async function reportRedisPolicy(redis: RedisClient, log: Logger): Promise<void> {
  const problem = await evictionProblem(redis);
  if (problem) log.error({ problem }, 'refusing to report ready on this Redis');
}

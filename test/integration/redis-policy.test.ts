import { strict as assert } from 'node:assert';
import { startApp } from '../../src/app.js';
import { evictionProblem } from '../../src/startup/redis-policy.js';
import { startRedisCluster } from '../../sim-kit/redis-cluster.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { prepareServices, testConfig } from '../helpers/services.js';

/**
 * With any maxmemory-policy but noeviction, Redis drops keys under memory pressure (the
 * match.find stream, queued jobs, proposals) without an error anywhere. The service says so
 * at start-up and is not ready on such a Redis.
 */
describe('a Redis that may evict keys', function () {
  this.timeout(60_000);
  before(() => prepareServices());

  it('fails readiness with a clear message and says so at start-up, until it is fixed', async () => {
    const redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    const logs = captureLogs('debug');
    const app = await startApp({
      config: testConfig({ REDIS_URL: redis.url, ROLES: 'api' }),
      log: logs.log,
    }).catch(async (error: unknown) => {
      await redis.kill();
      throw error;
    });
    try {
      const url = `http://127.0.0.1:${app.address.port}/readyz`;
      const response = await fetch(url);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { redis: { ok: boolean; error: string } };
      assert.equal(body.redis.ok, false);
      assert.match(body.redis.error, /maxmemory-policy is allkeys-lru.*noeviction/);
      const warned = logs.records().find((r) => (r.level as number) >= 50);
      assert.match(String(warned?.problem), /maxmemory-policy is allkeys-lru/);
      await redis.client().config('SET', 'maxmemory-policy', 'noeviction');
      assert.equal((await fetch(url)).status, 200, 'ready once Redis is fixed');
    } finally {
      await app.stop();
      await redis.kill();
    }
  });

  it('on a cluster, any one master that may evict is found, and named without its address', async () => {
    const cluster = await startRedisCluster();
    const client = cluster.client();
    try {
      assert.equal(await evictionProblem(client), undefined);
      const masters = client.nodes('master');
      const last = masters.at(-1)!;
      await last.config('SET', 'maxmemory-policy', 'volatile-lru');
      const problem = await evictionProblem(client);
      assert.match(
        problem ?? '',
        new RegExp(`maxmemory-policy is volatile-lru on cluster master \\d of ${masters.length}`),
      );
      assert.doesNotMatch(problem ?? '', /127\.0\.0\.1|:\d{4,5}\b/);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});

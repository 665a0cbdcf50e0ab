import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  type Redis,
  type RedisClient,
} from '../../src/redis/client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL, prepareServices } from '../helpers/services.js';

/**
 * Automatic pipelining: the commands a turn of the event loop issues leave together, on the
 * service's plain connection to a single Redis, and never on a blocking connection or a cluster.
 */
describe('redis client: automatic pipelining', function () {
  this.timeout(30_000);
  const opened: RedisClient[] = [];
  const client = (
    name: string,
    blocking: boolean,
    clusterNodes?: { host: string; port: number }[],
  ) => {
    const made = createRedisClient({
      url: TEST_REDIS_URL,
      name,
      blocking,
      log: captureLogs('error').log,
      ...(clusterNodes ? { clusterNodes } : {}),
    });
    opened.push(made);
    return made;
  };

  before(() => prepareServices());
  after(() => Promise.all(opened.map((made) => closeRedis(made))));

  it('the plain connection sends the commands of one turn together, each with its own reply', async () => {
    const redis = client('tete-test', false) as Redis;
    await connectRedis(redis);
    const key = `${TEST_REDIS_PREFIX}autopipeline:${randomBytes(4).toString('hex')}`;
    const replies = Promise.allSettled([
      redis.set(key, 'one'),
      redis.incr(key), // not an integer: fails alone
      redis.get(key),
      redis.unlink(key),
    ]);
    assert.equal(redis.autoPipelineQueueSize, 4, 'queued for one write');
    const [set, incr, get, unlink] = await replies;
    assert.deepEqual(set, { status: 'fulfilled', value: 'OK' });
    assert.equal(incr?.status, 'rejected');
    assert.deepEqual(get, { status: 'fulfilled', value: 'one' });
    assert.deepEqual(unlink, { status: 'fulfilled', value: 1 });
    assert.equal(redis.autoPipelineQueueSize, 0);
  });

  it('a blocking connection and a cluster client send each command on its own', async () => {
    const blocking = client('tete-test-blocking', true) as Redis;
    await connectRedis(blocking);
    const pending = Promise.all([blocking.ping(), blocking.ping()]);
    assert.equal(blocking.autoPipelineQueueSize, 0);
    assert.deepEqual(await pending, ['PONG', 'PONG']);
    // Not connected: only its settings are looked at.
    const cluster = client('tete-test-cluster', false, [{ host: '127.0.0.1', port: 1 }]);
    assert.equal(cluster.isCluster, true);
    assert.equal(cluster.options.enableAutoPipelining, false);
  });
});

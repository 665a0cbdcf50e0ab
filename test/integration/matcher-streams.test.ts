import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../src/redis/client.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createMatchProducer } from '../../src/streams/match-producer.js';
import { createStreamAdmin, measureQueue } from '../../src/streams/stream-admin.js';
import { createStreamJanitor } from '../../src/streams/stream-janitor.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { MATCHER_GROUP, createRedisKeys } from '../../src/redis/keys.js';
import { TEST_REDIS_PREFIX, testRedis } from '../helpers/services.js';
import { deleteKeys } from '../../src/redis/delete-keys.js';

let suite = 0;

/**
 * The producer's back-pressure and the janitor's trimming on a real Redis: neither may
 * drop an entry that no matcher has acknowledged.
 */
describe('matcher: the match.find stream (Redis)', function () {
  this.timeout(60_000);
  let redis: RedisClient;
  let prefix: string;

  before(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    suite += 1;
    prefix = `${TEST_REDIS_PREFIX}streams${suite}:`;
  });
  afterEach(() => deleteKeys(redis, `${prefix}*`));
  after(() => redis?.quit());

  const entry = (n: number) => ({
    request_id: randomUUID(),
    user_id: n,
    topics: [1, 2],
    tz: 'Europe/Moscow',
    requested_at: Date.now(),
  });

  it('XADDs the sprint fields, and refuses (never trims) once the backlog nears MAXLEN', async () => {
    const keys = createRedisKeys(prefix);
    const producer = createMatchProducer({ redis, keys, maxLen: 1000 });
    const ids: string[] = [];
    for (let i = 1; i <= 900; i += 1) ids.push(await producer.enqueue(entry(i)));
    await assert.rejects(
      producer.enqueue(entry(901)),
      (error: unknown) => error instanceof AppError && error.code === 'unavailable',
    );
    assert.equal(await redis.xlen(keys.matchFind), 900);
    const [first] = await redis.xrange(keys.matchFind, '-', '+', 'COUNT', 1);
    assert.equal(first![0], ids[0], 'the oldest entry is still there');
    assert.deepEqual(
      first![1].filter((_, index) => index % 2 === 0),
      ['request_id', 'user_id', 'topics', 'tz', 'requested_at'],
    );
    assert.equal(first![1][5], '1,2');
  });

  it('the janitor trims acknowledged entries only, never pending or undelivered ones', async () => {
    const keys = createRedisKeys(prefix);
    const admin = createStreamAdmin(redis, keys);
    await admin.ensureGroup();
    const producer = createMatchProducer({ redis, keys, maxLen: 100_000 });
    const ids: string[] = [];
    for (let i = 0; i < 600; i += 1) ids.push(await producer.enqueue(entry(i)));
    // A consumer reads 400 and acknowledges all but entries 250..299; 200 stay undelivered.
    await redis.xreadgroup(
      'GROUP',
      MATCHER_GROUP,
      'c1',
      'COUNT',
      400,
      'STREAMS',
      keys.matchFind,
      '>',
    );
    await admin.ack([...ids.slice(0, 250), ...ids.slice(300, 400)]);
    const handled: string[] = [];
    const janitor = createStreamJanitor({
      redis,
      keys,
      admin,
      metrics: createMetrics(),
      log: createLogger('silent'),
      consumer: 'janitor',
      claimIdleMs: 3_600_000,
      maxDeliveries: 5,
      handle: (entries) => {
        handled.push(...entries.map((e) => e.id));
        return Promise.resolve();
      },
    });
    await janitor.tick();
    const kept = (await redis.xrange(keys.matchFind, ids[250]!, '+')).map(([id]) => id);
    assert.deepEqual(kept, ids.slice(250), 'everything from the oldest pending entry on');
    assert.ok((await redis.xlen(keys.matchFind)) < 600, 'acknowledged entries were trimmed');
    assert.deepEqual(handled, [], 'nothing idle long enough to reclaim');
    assert.deepEqual(await measureQueue(redis, keys).then((q) => q.size), 50 + 200);

    // With nothing pending, the floor is the first undelivered entry.
    await admin.ack(ids.slice(250, 300));
    await janitor.tick();
    const left = (await redis.xrange(keys.matchFind, ids[400]!, '+')).map(([id]) => id);
    assert.deepEqual(left, ids.slice(400));
    const [next] = (await redis.xreadgroup(
      'GROUP',
      MATCHER_GROUP,
      'c1',
      'COUNT',
      1000,
      'STREAMS',
      keys.matchFind,
      '>',
    )) as [string, [string, string[]][]][];
    assert.equal(next![1].length, 200, 'every undelivered entry is still delivered');
  });

  it('measures the queue: pending plus undelivered, and the age of the oldest', async () => {
    const keys = createRedisKeys(prefix);
    const admin = createStreamAdmin(redis, keys);
    assert.deepEqual(await measureQueue(redis, keys), { size: 0, lagMs: 0 });
    await admin.ensureGroup();
    const producer = createMatchProducer({ redis, keys, maxLen: 100_000 });
    const first = await producer.enqueue(entry(1));
    await producer.enqueue(entry(2));
    const at = Number(first.split('-')[0]);
    assert.deepEqual(await measureQueue(redis, keys, at + 5_000), { size: 2, lagMs: 5_000 });
    await redis.xreadgroup(
      'GROUP',
      MATCHER_GROUP,
      'c1',
      'COUNT',
      1,
      'STREAMS',
      keys.matchFind,
      '>',
    );
    assert.deepEqual(await measureQueue(redis, keys, at + 7_000), { size: 2, lagMs: 7_000 });
    await admin.ack([first]);
    const size = await measureQueue(redis, keys, at + 9_000);
    assert.equal(size.size, 1);
    assert.ok(size.lagMs <= 9_000 && size.lagMs > 0);
  });
});

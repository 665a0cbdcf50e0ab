import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Cluster } from 'ioredis';
import { createRedisKeys, QUEUE_NAMES } from '../../src/redis/keys.js';
import { createProposalStore } from '../../src/proposals/proposal-store.js';
import { createHeldMessages } from '../../src/outbound/held-messages.js';
import { createOutbound } from '../../src/outbound/outbound-queue.js';
import { createChatOrder } from '../../src/outbound/chat-order.js';
import { createPaidBroadcast } from '../../src/outbound/paid-broadcast.js';
import { createStreamAdmin } from '../../src/streams/stream-admin.js';
import { createMatchProducer } from '../../src/streams/match-producer.js';
import { createUpdateLedger } from '../../src/bot/update-ledger.js';
import { createBotUserData } from '../../src/bot/bot-user-data.js';
import { withinLimit } from '../../src/bot/middlewares/rate-limit.js';
import type { OutboundMessage } from '../../src/outbound/outbound-message.js';
import type { ErasedUser } from '../../src/erasure/user-data.js';
import { deleteKeys } from '../../src/redis/delete-keys.js';
import { startRedisCluster, type LocalRedisCluster } from '../../sim-kit/redis-cluster.js';
import { TEST_REDIS_PREFIX } from '../helpers/services.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { createDbPool } from '../../src/db/pool.js';
import type { DatabasePool } from 'slonik';

/** Every `defineCommand('<name>'` in the service's sources: the Lua scripts it runs. */
async function definedScripts(dir = 'src'): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/defineCommand\('(\w+)'/g)) names.add(match[1]!);
  }
  return names;
}

/**
 * On a Redis Cluster a Lua script must only take keys of one slot. Every script the service
 * defines is run here against a local cluster through the code that uses it, with the keys
 * keys.ts spells; a script whose keys crossed slots would fail with CROSSSLOT. The scripts are
 * found in the sources, so a new one that no case here runs fails the test.
 */
describe('Redis Cluster: every script and multi-key command stays in one slot', function () {
  this.timeout(60_000);
  let cluster: LocalRedisCluster;
  let redis: Cluster;
  let db: DatabasePool;
  const ran = new Set<string>();
  const keys = createRedisKeys(`${TEST_REDIS_PREFIX}slots:`);
  const erased: ErasedUser = { id: 1, tgId: 42 };

  before(async () => {
    // The outbound queue asks PostgreSQL whether a message was delivered (a repair's re-send).
    db = await createDbPool({ url: await createScratchDatabase(), size: 2 });
    cluster = await startRedisCluster();
    redis = cluster.client();
    // Counts the scripts run through this client, by name.
    const define = redis.defineCommand.bind(redis);
    redis.defineCommand = (name, definition) => {
      define(name, definition);
      const target = redis as unknown as Record<string, (...args: unknown[]) => unknown>;
      const command = target[name]!.bind(redis);
      target[name] = (...args: unknown[]) => {
        ran.add(name);
        return command(...args);
      };
    };
  });
  after(async () => {
    await deleteKeys(redis, `${keys.prefix}*`).catch(() => undefined);
    await cluster.stop();
    await db.end();
  });

  it('a script whose keys lie in two slots fails there (what the other cases rule out)', async () => {
    redis.defineCommand('teteCrossSlotProbe', {
      numberOfKeys: 2,
      lua: "return redis.call('EXISTS', KEYS[1], KEYS[2])",
    });
    const probe = redis as unknown as { teteCrossSlotProbe(a: string, b: string): Promise<number> };
    await assert.rejects(
      probe.teteCrossSlotProbe(`${keys.prefix}a`, `${keys.prefix}b`),
      /CROSSSLOT/,
    );
  });

  it('keys a script takes together share a hash tag', async () => {
    const slot = async (key: string) => Number(await redis.cluster('KEYSLOT', key));
    assert.equal(await slot(keys.matchFind), await slot(keys.matchDead));
    const outbound = `${keys.queuePrefix(QUEUE_NAMES.outbound)}:${QUEUE_NAMES.outbound}:job-1`;
    assert.equal(await slot(keys.chatSlot(42)), await slot(outbound));
    const tagged = Object.values(QUEUE_NAMES).map((queue) => slot(keys.queuePrefix(queue)));
    assert.equal(
      new Set(await Promise.all(tagged)).size,
      Object.values(QUEUE_NAMES).length,
      'each queue has a slot of its own',
    );
  });

  it('runs every script the service defines, without a CROSSSLOT error', async () => {
    const store = createProposalStore({ redis, keys });
    assert.equal((await store.indexAndSave(7, null, 1, { s: 1 }, [], 60)).result, 'saved');
    assert.equal(
      await store.save(7, 1, 1, { s: 2 }, [{ id: 'a', type: 't', params: {} }], 60),
      'saved',
    );
    assert.equal(await store.complete(7, ['a']), 0);
    // On a cluster this takes its two-call path (the record and the index lie in two slots).
    assert.equal(await store.completeAndUnindex(7, [], await store.index(7)), 0);
    const token = await store.index(7);
    await store.unindex(7, token);
    assert.equal(await store.remove(7, 2), true);

    const queue = new Queue<OutboundMessage>(QUEUE_NAMES.outbound, {
      connection: redis,
      prefix: keys.queuePrefix(QUEUE_NAMES.outbound),
    });
    const heldQueue = new Queue<OutboundMessage>(QUEUE_NAMES.heldMessages, {
      connection: redis,
      prefix: keys.queuePrefix(QUEUE_NAMES.heldMessages),
    });
    try {
      const held = createHeldMessages(heldQueue);
      const outbound = createOutbound({
        queue,
        held,
        db,
        redis,
        keys,
        chatIntervalMs: 10,
        chatBurst: 1,
        searchMarginMs: 0,
      });
      const message = {
        key: 'slots-1',
        chatId: 42,
        method: 'sendMessage',
        payload: { text: 'hi' },
      } as OutboundMessage;
      await outbound.enqueue(message);
      await outbound.enqueue(message); // the reservation script sees the queued job
      await outbound.enqueue(message, { unlessDelivered: true });
      assert.equal(await queue.count(), 1);
      const order = createChatOrder({ redis, keys, maxWaitMs: 1000 });
      await order.markDone({ ...message, seq: 1 });
      assert.equal(await order.isTurn({ ...message, seq: 2 }, Date.now()), true);
      // A message not due yet is held in its own queue, and erasure finds it there.
      await outbound.enqueue({ ...message, key: 'slots-2', notBefore: Date.now() + 60_000 });
      assert.equal(await heldQueue.count(), 1);
      assert.equal(await queue.count(), 1);
      await outbound.forgetUser(erased);
      assert.equal(await heldQueue.getDelayedCount(), 0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await heldQueue.obliterate({ force: true });
      await heldQueue.close();
    }

    // Paid broadcasts: the shared free budget (a script) and the day's counter (MULTI).
    const paid = createPaidBroadcast({
      redis,
      keys,
      freePerSecond: 3,
      paidPerSecond: 10,
      dailyStars: 1,
    });
    const decisions = [];
    for (let i = 0; i < 6; i += 1) decisions.push(await paid.decide('sendMessage'));
    assert.equal(decisions[0], 'free');
    assert.ok(decisions.includes('paid'), decisions.join(' '));

    const producer = createMatchProducer({ redis, keys, maxLen: 1000 });
    const admin = createStreamAdmin(redis, keys);
    await admin.ensureGroup();
    const id = await producer.enqueue({
      request_id: '00000000-0000-4000-8000-000000000001',
      user_id: 1,
      topics: [1],
      tz: 'UTC',
      requested_at: Date.now(),
    });
    await redis.xreadgroup(
      'GROUP',
      'matchers',
      'probe',
      'COUNT',
      1,
      'STREAMS',
      keys.matchFind,
      '>',
    );
    assert.equal(await admin.deadLetter(id, 'probe', 1), true);
    assert.equal(await redis.xlen(keys.matchDead), 1);

    // A handler longer than a third of the lease has its claim renewed.
    const ledger = createUpdateLedger({ redis, keys, leaseMs: 150 });
    const slowly = () => new Promise<void>((resolve) => setTimeout(resolve, 200));
    assert.equal(await ledger.run(1, slowly, () => false), 'handled');
    await assert.rejects(
      ledger.run(
        2,
        () => Promise.reject(new Error('handler failed')),
        () => false,
      ),
      /handler failed/,
    );
    assert.equal(await withinLimit(redis, keys, 'find', 42, 5), true);
    await createBotUserData({ redis, keys }).forgetUser!(erased);

    const defined = await definedScripts();
    // Spans two slots by design, so the store calls it only on a single Redis (see
    // completeAndUnindex in proposal-store.ts); on a cluster it takes two calls instead.
    const singleRedisOnly = new Set(['teteProposalCompleteAndUnindex']);
    const missed = [...defined].filter((name) => !ran.has(name) && !singleRedisOnly.has(name));
    assert.deepEqual(missed, [], 'every script the sources define ran on the cluster');
    assert.ok(defined.size >= 10, `found ${defined.size} scripts`);
  });
});

import { Cluster, Redis } from 'ioredis';
import { createRedisKeys, MATCHER_GROUP } from '../src/redis/keys.js';
import { deleteKeys } from '../src/redis/delete-keys.js';
import type { RedisClient } from '../src/redis/client.js';

/**
 * How many match.find entries per second one Redis (or the one cluster shard that holds the
 * stream) carries, through the same commands as the service: XADD by the API, XREADGROUP in
 * batches and XACK by the matchers. Only Redis is measured, not the matching in PostgreSQL.
 *
 *   node --import tsx bench/stream-ceiling.ts [seconds] [redis://host:port | host:port,host:port]
 */
const seconds = Number(process.argv[2] ?? 5);
const target = process.argv[3] ?? 'redis://127.0.0.1:6379';
const PRODUCERS = 8;
const CONSUMERS = 4;
const BATCH = 32;

function connect(): RedisClient {
  if (target.startsWith('redis')) return new Redis(target);
  const nodes = target.split(',').map((node) => ({
    host: node.split(':')[0]!,
    port: Number(node.split(':')[1]),
  }));
  return new Cluster(nodes);
}

async function main(): Promise<void> {
  const keys = createRedisKeys(`bench-stream-${process.pid}:`);
  const admin = connect();
  await admin.xgroup('CREATE', keys.matchFind, MATCHER_GROUP, '0', 'MKSTREAM');
  const until = Date.now() + seconds * 1000;
  let added = 0;
  let acked = 0;
  const produce = async (client: RedisClient) => {
    while (Date.now() < until) {
      await client.xadd(keys.matchFind, 'MAXLEN', '~', 100_000, '*', ...entryFields(added));
      added += 1;
    }
  };
  const consume = async (client: RedisClient, name: string) => {
    while (Date.now() < until + 500) {
      const read = (await client.xreadgroup(
        'GROUP',
        MATCHER_GROUP,
        name,
        'COUNT',
        BATCH,
        'BLOCK',
        100,
        'STREAMS',
        keys.matchFind,
        '>',
      )) as [string, [string, string[]][]][] | null;
      const ids = read?.[0]?.[1].map(([id]) => id) ?? [];
      if (ids.length) acked += await client.xack(keys.matchFind, MATCHER_GROUP, ...ids);
    }
  };
  const clients = Array.from({ length: PRODUCERS + CONSUMERS }, connect);
  await Promise.all([
    ...clients.slice(0, PRODUCERS).map((client) => produce(client)),
    ...clients.slice(PRODUCERS).map((client, i) => consume(client, `c${i}`)),
  ]);
  console.log(
    JSON.stringify({
      target: target.startsWith('redis') ? 'single' : 'cluster',
      seconds,
      producers: PRODUCERS,
      consumers: CONSUMERS,
      addedPerSecond: Math.round(added / seconds),
      ackedPerSecond: Math.round(acked / seconds),
    }),
  );
  await deleteKeys(admin, `${keys.prefix}*`);
  for (const client of [admin, ...clients]) client.disconnect();
}

function entryFields(n: number): string[] {
  return [
    ...['request_id', `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`],
    ...['user_id', String(n), 'topics', '1,2,3', 'tz', 'Europe/Berlin'],
    ...['requested_at', String(Date.now())],
  ];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

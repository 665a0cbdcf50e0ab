import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createBotApiEmulator } from '@tete/bot-api-emulator';
import { createRedisKeys } from '../src/redis/keys.js';
import { deleteKeys } from '../src/redis/delete-keys.js';
import type { RedisClient } from '../src/redis/client.js';
import { freePort } from '../sim-kit/free-port.js';
import { createRandom } from '../sim-kit/random.js';
import { startRedisCluster, type LocalRedisCluster } from '../sim-kit/redis-cluster.js';
import type { BenchConfig } from './bench-config.js';
import { benchDbUrl, harnessDbUrl, resetBenchDatabase, seedPopulation } from './bench-db.js';
import { createApiClient, type ApiClient } from './http-client.js';
import { runMeasuredPhase } from './measured-phase.js';
import { generatePopulation } from './population.js';
import { createResourceMonitor } from './resource-monitor.js';
import { startServiceProcess, type ServiceProcess } from './service-processes.js';

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The processes of the scaled-out layout: every role in two processes, the bot in one. */
const LAYOUT = [
  ['api 1', 'api'],
  ['api 2', 'api'],
  ['timers 1', 'timers'],
  ['timers 2', 'timers'],
  ['matcher 1', 'matcher'],
  ['matcher 2', 'matcher'],
  ['bot', 'bot'],
] as const;

export type Topology = 'single' | 'cluster';

/** Spreads the load over the api processes, as a load balancer would. */
function roundRobin(clients: readonly ApiClient[]): ApiClient {
  let next = 0;
  return {
    post: (path, payload) => clients[next++ % clients.length]!.post(path, payload),
    close: () => clients.forEach((client) => client.close()),
  };
}

/**
 * One measured phase on `topology` with the roles in separate processes (LAYOUT): the same
 * population, rate and behaviour on a single Redis and on a local 3-master Redis Cluster.
 */
async function runTopology(config: BenchConfig, topology: Topology, cluster?: LocalRedisCluster) {
  const prefix = `bench-${topology}-${randomBytes(3).toString('hex')}:`;
  const keys = createRedisKeys(prefix);
  const token = randomBytes(24).toString('hex');
  const users = generatePopulation(config);
  await resetBenchDatabase({
    asyncCommit: config.asyncCommit,
    trackFunctions: config.pgFunctions,
  });
  const seedClient = new pg.Client({ connectionString: benchDbUrl() });
  await seedClient.connect();
  await seedPopulation(seedClient, users, config.topics);
  await seedClient.end();

  const singleUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis: RedisClient = cluster ? cluster.client() : new Redis(singleUrl);
  const db = new pg.Pool({ connectionString: harnessDbUrl(), max: 6 });
  const emulator = createBotApiEmulator({ bot: { username: 'tete_bench_bot', firstName: 'tete' } });
  await emulator.start();
  const children: ServiceProcess[] = [];
  const monitor = createResourceMonitor({
    processes: () => children.map((child) => ({ name: child.name, pid: child.pid })),
    db,
    redis,
  });
  const env: Record<string, string> = {
    DATABASE_URL: benchDbUrl(),
    REDIS_URL: singleUrl,
    REDIS_CLUSTER_NODES: cluster?.seeds ?? '',
    REDIS_PREFIX: prefix,
    INTERNAL_API_TOKEN: token,
    SANDBOX: 'off',
    ...config.env,
  };
  try {
    for (const [name, roles] of LAYOUT) {
      const bot: Record<string, string> = roles === 'bot' ? { BOT_TOKEN: emulator.token } : {};
      const pool = roles === 'matcher' ? config.matcherPoolSize : config.apiPoolSize;
      children.push(
        await startServiceProcess({
          name,
          roles,
          port: await freePort(),
          env: {
            ...env,
            ...bot,
            TELEGRAM_API_ROOT: emulator.apiRoot,
            DATABASE_POOL_SIZE: String(pool),
          },
        }),
      );
    }
    monitor.start();
    const apis = children.filter((child) => child.roles === 'api');
    const api = roundRobin(apis.map((child) => createApiClient({ ...child, token, sockets: 64 })));
    const matcherPorts = children.filter((c) => c.roles === 'matcher').map((c) => c.port);
    log(
      `${topology}: ${children.length} processes up, ${config.rate}/s for ${config.durationSeconds} s`,
    );
    const phase = await runMeasuredPhase(
      {
        db,
        redis,
        keys,
        api,
        users,
        random: createRandom(config.seed + 1),
        matcherPorts,
        monitor,
        behaviour: {
          reactions: config.reactions,
          thinkMs: config.thinkMs,
          proposalTtlMs: Number(env.PROPOSAL_TTL_SECONDS ?? 300) * 1000,
          chatIdleMs: Number(env.CHAT_IDLE_HOURS ?? 24) * 3_600_000,
          patienceMs: config.patienceSeconds * 1000,
          slackMs: config.slackSeconds * 1000,
          probeEvery: config.probeEvery,
        },
      },
      { rate: config.rate, seconds: config.durationSeconds, exclude: new Set() },
    );
    api.close();
    log(`${topology}: ${phase.acceptedPerSecond}/s accepted, ${phase.lostRequests} lost`);
    return { topology, processes: LAYOUT.map(([name]) => name), phase };
  } finally {
    monitor.stop();
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    for (const child of children) {
      const tail = child.output().slice(-2_000);
      if (tail.trim()) log(`${child.name} said:\n${tail}`);
    }
    await emulator.stop();
    await deleteKeys(redis, `${prefix}*`).catch(() => undefined);
    redis.disconnect();
    await db.end();
  }
}

/** The scaled-out benchmark: the same run on a single Redis, then on a local cluster. */
export async function runClusterBench(config: BenchConfig) {
  const startedAt = new Date().toISOString();
  const single = await runTopology(config, 'single');
  const cluster = await startRedisCluster();
  log(`local Redis Cluster on ${cluster.seeds}`);
  try {
    const onCluster = await runTopology(config, 'cluster', cluster);
    return { startedAt, finishedAt: new Date().toISOString(), config, runs: [single, onCluster] };
  } finally {
    await cluster.stop();
  }
}

export type ClusterBenchResults = Awaited<ReturnType<typeof runClusterBench>>;

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDbPool } from '../src/db/pool.js';
import { createRedisKeys } from '../src/redis/keys.js';
import { deleteKeys } from '../src/redis/delete-keys.js';
import { wakingMinutes } from '../src/time/waking-hours.js';
import type { BenchConfig } from './bench-config.js';
import { benchDbUrl, harnessDbUrl, resetBenchDatabase, seedPopulation } from './bench-db.js';
import {
  cancelAll,
  drain,
  findAll,
  histogramFigures,
  matcherHistogram,
  waitingPoolSize,
} from './bench-phases.js';
import { createApiClient } from './http-client.js';
import { runLoad } from './load-generator.js';
import { runMeasuredPhase, type PhaseContext } from './measured-phase.js';
import { functionTimes, readFunctionCounters } from './pg-functions.js';
import { startMaintenance } from './maintenance.js';
import { createRandom } from '../sim-kit/random.js';
import { generatePopulation, mutuallyIncompatible } from './population.js';
import { createResourceMonitor } from './resource-monitor.js';
import { startBenchService, type ServiceProcess } from './service-processes.js';
import { compareWithSprint } from './sprint-comparison.js';
import { runBareDatabase } from './bare-db.js';

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Runs every phase of the benchmark and returns the figures for the report. */
export async function runBench(config: BenchConfig) {
  const startedAt = new Date();
  const redisPrefix = `bench-${Date.now().toString(36)}${randomBytes(2).toString('hex')}:`;
  const keys = createRedisKeys(redisPrefix);
  const token = randomBytes(24).toString('hex');
  const random = createRandom(config.seed + 1);

  log(`population: ${config.users} users, ${config.topics} topics (zipf ${config.zipf})`);
  const users = generatePopulation(config);
  await resetBenchDatabase({
    asyncCommit: config.asyncCommit,
    trackFunctions: config.pgFunctions,
  });
  const seedClient = new pg.Client({ connectionString: benchDbUrl() });
  await seedClient.connect();
  const seedStarted = Date.now();
  await seedPopulation(seedClient, users, config.topics);
  await seedClient.end();
  log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

  // The ceiling the pipeline is compared with: the same /find functions on the same data,
  // with nothing else running yet (their searches and matches are removed again).
  const bare = await runBareDatabase({
    url: benchDbUrl(),
    users: shuffled(users, createRandom(config.seed + 2)),
    clients: config.bareClients,
    seconds: config.bareSeconds,
    wakingMinutes: wakingMinutes({ start: 9, end: 23 }),
    proposalTtlMs: Number(config.env.PROPOSAL_TTL_SECONDS ?? 300) * 1000,
  });
  log(`bare database: ${bare.perSecond}/s with ${bare.clients} clients`);

  const db = new pg.Pool({ connectionString: harnessDbUrl(), max: 6 });
  const slonik = await createDbPool({ url: harnessDbUrl(), size: 2 });
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const children: ServiceProcess[] = [];
  const maintenance = await startMaintenance(benchDbUrl());
  const monitor = createResourceMonitor({
    processes: () => children.map((child) => ({ name: child.name, pid: child.pid })),
    db,
    redis,
  });
  const env: Record<string, string> = {
    DATABASE_URL: benchDbUrl(),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: redisPrefix,
    INTERNAL_API_TOKEN: token,
    ...config.env,
  };
  try {
    const { apiPort, matcherPorts } = await startBenchService(config, env, children);
    monitor.start();
    const api = createApiClient({ port: apiPort, token, sockets: 128 });
    log(`service up: api+timers on ${apiPort}, matchers on ${matcherPorts.join(', ')}`);

    // The service's own CPU use with no load (timers, sweepers, janitors, blocking reads).
    await monitor.mark();
    await sleep(10_000);
    await monitor.sample();
    const idleCpuPerSecond = monitor
      .figures()
      .map((p) => ({ name: p.name, seconds: Math.round((p.cpuSeconds / 10) * 1000) / 1000 }));

    // Phase 1: a waiting pool of poolTarget users no two of whom can be matched.
    const poolUsers = mutuallyIncompatible(users, config.poolTarget);
    await findAll(
      api,
      poolUsers.map((user) => user.index + 1),
      1_000,
    );
    await drain(db, redis, keys, 0, 60_000);
    const poolBefore = await waitingPoolSize(db);
    log(`waiting pool holds ${poolBefore} users`);
    const poolSet = new Set(poolUsers.map((user) => user.index));
    const others = users.filter((user) => !poolSet.has(user.index));
    const sample = Array.from(
      { length: config.sprintSample },
      () => others[Math.floor(random() * others.length)]!,
    );
    const minutes = wakingMinutes({ start: 9, end: 23 });
    const comparison = await compareWithSprint(db, slonik, sample, minutes);
    log(`sprint SQL median ${comparison.sprintMs.median} ms, ours ${comparison.oursMs.median} ms`);

    // Arrivals against the full pool, from a slice of users the main phase will not use.
    const poolPhaseUsers = new Set(
      others.slice(0, Math.min(others.length, 10_000)).map((u) => u.index),
    );
    const excludeForPool = new Set(users.map((u) => u.index).filter((i) => !poolPhaseUsers.has(i)));
    const before = await matcherHistogram(matcherPorts, 'sql_match_select_ms');
    const behaviour = {
      reactions: config.reactions,
      thinkMs: config.thinkMs,
      proposalTtlMs: Number(env.PROPOSAL_TTL_SECONDS ?? 300) * 1000,
      chatIdleMs: Number(env.CHAT_IDLE_HOURS ?? 24) * 3_600_000,
      patienceMs: config.patienceSeconds * 1000,
      slackMs: config.slackSeconds * 1000,
      probeEvery: config.probeEvery,
    };
    const poolLoad = await runLoad({
      ...behaviour,
      rate: config.rate,
      durationMs: config.poolPhaseSeconds * 1000,
      users,
      api,
      db,
      random,
      exclude: excludeForPool,
    });
    await drain(db, redis, keys, 0, 30_000);
    const poolSelect = histogramFigures(
      before,
      await matcherHistogram(matcherPorts, 'sql_match_select_ms'),
    );
    const poolAfter = await waitingPoolSize(db);
    log(`pool phase: ${poolLoad.finds.length} finds, select p99 <= ${poolSelect.p99.atMost} ms`);
    // The measured phases start from statistics of tables in use (searches, matches, the
    // pool), as a service that has run for a while has; the service's sessions plan again.
    await db.query('ANALYZE');
    await cancelAll(
      api,
      poolUsers.map((user) => user.index + 1),
      2_000,
    );

    const ctx: PhaseContext = {
      db,
      redis,
      keys,
      api,
      users,
      random,
      matcherPorts,
      monitor,
      behaviour,
    };
    // Phase 2: a light load, to see the pipeline's own latency when it is not saturated.
    const used = new Set([...poolSet, ...poolPhaseUsers]);
    const lightUsers = others.filter((u) => !used.has(u.index)).slice(0, 10_000);
    for (const user of lightUsers) used.add(user.index);
    const lightSet = new Set(lightUsers.map((u) => u.index));
    const lightExclude = new Set(users.map((u) => u.index).filter((i) => !lightSet.has(i)));
    log(`light phase: ${config.lightRate}/s for ${config.lightSeconds} s`);
    const light = await runMeasuredPhase(ctx, {
      rate: config.lightRate,
      seconds: config.lightSeconds,
      exclude: lightExclude,
    });
    log(`light phase: time to proposal p50 ${light.timeToProposal.partnerWaiting.p50} ms`);

    // Phase 3: the main load, from everyone not used above.
    log(`main phase: ${config.rate}/s for ${config.durationSeconds} s`);
    const functionsBefore = config.pgFunctions ? await readFunctionCounters(db) : undefined;
    const main = await runMeasuredPhase(ctx, {
      rate: config.rate,
      seconds: config.durationSeconds,
      exclude: used,
    });
    log(
      `main phase: ${main.acceptedPerSecond}/s accepted, lag at end ${main.streamAtEnd.lagMs} ms`,
    );
    // Read once the lifecycle is over, as the CPU figures are.
    const pgFunctions = functionsBefore
      ? functionTimes(functionsBefore, await readFunctionCounters(db), main.findsAccepted)
      : undefined;
    await monitor.sample();
    return {
      startedAt: startedAt.toISOString(),
      redisPrefix,
      config,
      poolPhase: {
        poolBefore,
        poolAfter,
        arrivals: poolLoad.finds.length,
        selectMs: poolSelect,
        sprintComparison: comparison,
      },
      idleCpuPerSecond,
      bare,
      light,
      main,
      pgFunctions,
      /** Whether the benchmark stood in for the server's autovacuum, and how often it ran. */
      maintenance: {
        standIn: maintenance.standIn,
        passes: maintenance.passes,
        lastError: maintenance.lastError,
      },
      processes: monitor.figures(),
      finishedAt: new Date().toISOString(),
    };
  } finally {
    monitor.stop();
    await maintenance.stop();
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    const errors = children.map((child) => ({
      name: child.name,
      tail: child.output().slice(-2_000),
    }));
    for (const { name, tail } of errors) if (tail.trim()) log(`${name} said:\n${tail}`);
    await deleteKeys(redis, `${redisPrefix}*`).catch(() => undefined);
    redis.disconnect();
    await slonik.end();
    await db.end();
  }
}

export type BenchResults = Awaited<ReturnType<typeof runBench>>;

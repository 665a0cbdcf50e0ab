import type { Reactions } from './load-generator.js';

export interface BenchConfig {
  quick: boolean;
  users: number;
  topics: number;
  zipf: number;
  seed: number;
  /** /find per second of the main phase, and how long it lasts. */
  rate: number;
  durationSeconds: number;
  /** Users put in the waiting pool at once for the 10k-waiting phase. */
  poolTarget: number;
  /** Arrivals measured against the full pool. */
  poolPhaseSeconds: number;
  sprintSample: number;
  /** A light phase first, to see latency when the pipeline is not saturated. */
  lightRate: number;
  lightSeconds: number;
  matchers: number;
  reactions: Reactions;
  thinkMs: [number, number];
  patienceSeconds: number;
  slackSeconds: number;
  probeEvery: number;
  /** Service settings for every process (PROPOSAL_TTL_SECONDS, MATCHER_CONCURRENCY, ...). */
  env: Record<string, string>;
  /** Per-role DATABASE_POOL_SIZE. */
  apiPoolSize: number;
  matcherPoolSize: number;
  cpuProfile: boolean;
  /** `synchronous_commit = off` in the bench database: what the WAL flush costs. */
  asyncCommit: boolean;
  /** `track_functions = all` in the bench database; the report gives time per SQL function. */
  pgFunctions: boolean;
  /** The scaled-out run: single Redis then a local cluster, roles in separate processes. */
  cluster: boolean;
  /** The bare database phase: connections calling the /find functions back to back, and for how long. */
  bareClients: number;
  bareSeconds: number;
}

/** The configuration of the targets; --quick shortens the phases for development. */
export function defaultConfig(quick: boolean): BenchConfig {
  return {
    quick,
    users: 100_000,
    topics: 500,
    zipf: 0.8,
    seed: 20_260_401,
    rate: 500,
    durationSeconds: quick ? 20 : 300,
    poolTarget: quick ? 2_000 : 10_000,
    poolPhaseSeconds: quick ? 5 : 15,
    sprintSample: quick ? 3 : 15,
    lightRate: 40,
    lightSeconds: quick ? 10 : 30,
    matchers: 2,
    reactions: { accept: 0.3, decline: 0.25, ignore: 0.3, half: 0.15 },
    thinkMs: [500, 4_000],
    patienceSeconds: 20,
    slackSeconds: 4,
    probeEvery: 10,
    env: {
      PROPOSAL_TTL_SECONDS: '8',
      // 7.2 s: chats end by the idle timeout, so people come back and search again.
      CHAT_IDLE_HOURS: '0.002',
      LOG_LEVEL: 'warn',
    },
    apiPoolSize: 16,
    matcherPoolSize: 8,
    cpuProfile: false,
    asyncCommit: false,
    pgFunctions: false,
    cluster: false,
    bareClients: 4,
    bareSeconds: quick ? 10 : 30,
  };
}

import { configSchema } from '../src/config.js';
import { defineCommand, UsageError, type FlagValues } from '../src/startup/command-line.js';
import { defaultConfig, type BenchConfig } from './bench-config.js';

const full = defaultConfig(false);
const quick = defaultConfig(true);
const both = (full: number, quick: number) =>
  full === quick ? `default ${full}` : `default ${full}; ${quick} with --quick`;

/** `npm run bench` and its flags; unset ones take the defaults of the full or quick run. */
export const BENCH_COMMAND = defineCommand({
  usage: 'npm run bench --',
  summary:
    'Loads the real pipeline (API, two matcher processes, PostgreSQL, Redis) with a synthetic\n' +
    'population and writes bench/results.json and bench/RESULTS.md (bench/README.md explains them).',
  flags: {
    quick: { kind: 'switch', help: 'a 20-second run with a smaller pool, for development' },
    cluster: {
      kind: 'switch',
      help:
        'the main phase on a single Redis, then on a local Redis Cluster, with every role in\n' +
        'its own processes (2 api, 2 timers, 2 matchers, 1 bot); writes bench/CLUSTER-RESULTS.md',
    },
    rate: {
      kind: 'number',
      min: 0.1,
      max: 10_000,
      default: full.rate,
      help: 'main phase /find per second',
    },
    duration: {
      kind: 'number',
      min: 1,
      max: 86_400,
      value: 'SECONDS',
      shownDefault: both(full.durationSeconds, quick.durationSeconds),
      help: 'main phase length',
    },
    matchers: {
      kind: 'integer',
      min: 1,
      max: 16,
      default: full.matchers,
      help: 'matcher processes',
    },
    pool: {
      kind: 'integer',
      min: 0,
      max: 100_000,
      shownDefault: both(full.poolTarget, quick.poolTarget),
      help: 'users put in the waiting pool at once',
    },
    users: {
      kind: 'integer',
      min: 1_000,
      max: 1_000_000,
      default: full.users,
      help: 'population size',
    },
    'light-rate': {
      kind: 'number',
      min: 0.1,
      max: 10_000,
      default: full.lightRate,
      help: 'light phase /find per second',
    },
    'light-seconds': {
      kind: 'number',
      min: 1,
      max: 3_600,
      value: 'SECONDS',
      shownDefault: both(full.lightSeconds, quick.lightSeconds),
      help: 'light phase length',
    },
    'pool-seconds': {
      kind: 'number',
      min: 1,
      max: 3_600,
      value: 'SECONDS',
      shownDefault: both(full.poolPhaseSeconds, quick.poolPhaseSeconds),
      help: 'arrivals against the full pool',
    },
    'sprint-sample': {
      kind: 'integer',
      min: 1,
      max: 1_000,
      shownDefault: both(full.sprintSample, quick.sprintSample),
      help: "users timed with the sprint's SQL",
    },
    'api-pool': {
      kind: 'integer',
      min: 1,
      max: 200,
      default: full.apiPoolSize,
      help: 'DATABASE_POOL_SIZE of the api+timers process',
    },
    'matcher-pool': {
      kind: 'integer',
      min: 1,
      max: 200,
      default: full.matcherPoolSize,
      help: 'DATABASE_POOL_SIZE of each matcher',
    },
    'cpu-prof': { kind: 'switch', help: 'CPU profiles of the service processes, in bench/.tmp' },
    'async-commit': { kind: 'switch', help: 'synchronous_commit = off in the bench database' },
    'pg-functions': {
      kind: 'switch',
      help: 'track_functions = all in the bench database: time inside each SQL function',
    },
    'bare-clients': {
      kind: 'integer',
      min: 1,
      max: 64,
      default: full.bareClients,
      help: 'connections of the bare database phase (the /find functions alone)',
    },
    'bare-seconds': {
      kind: 'number',
      min: 1,
      max: 3_600,
      value: 'SECONDS',
      shownDefault: both(full.bareSeconds, quick.bareSeconds),
      help: 'bare database phase length',
    },
    env: {
      kind: 'text',
      multiple: true,
      value: 'KEY=VALUE',
      pattern: /^[A-Z][A-Z0-9_]*=/,
      expected: 'KEY=VALUE',
      help: 'a service setting for every process; may be repeated',
    },
  },
});

/**
 * The benchmark's configuration from its flags.
 * @throws UsageError for an --env that names no configuration variable.
 */
export function benchConfig(flags: FlagValues<(typeof BENCH_COMMAND)['flags']>): BenchConfig {
  const config = defaultConfig(flags.quick);
  const known = Object.keys(configSchema.innerType().shape);
  for (const pair of flags.env) {
    const [key = '', ...value] = pair.split('=');
    if (!known.includes(key)) {
      throw new UsageError(`--env: ${key} is not a configuration variable (see the README)`);
    }
    config.env[key] = value.join('=');
  }
  return {
    ...config,
    rate: flags.rate,
    durationSeconds: flags.duration ?? config.durationSeconds,
    matchers: flags.matchers,
    poolTarget: flags.pool ?? config.poolTarget,
    users: flags.users,
    lightRate: flags['light-rate'],
    lightSeconds: flags['light-seconds'] ?? config.lightSeconds,
    poolPhaseSeconds: flags['pool-seconds'] ?? config.poolPhaseSeconds,
    sprintSample: flags['sprint-sample'] ?? config.sprintSample,
    apiPoolSize: flags['api-pool'],
    matcherPoolSize: flags['matcher-pool'],
    cpuProfile: flags['cpu-prof'],
    asyncCommit: flags['async-commit'],
    pgFunctions: flags['pg-functions'],
    cluster: flags.cluster,
    bareClients: flags['bare-clients'],
    bareSeconds: flags['bare-seconds'] ?? config.bareSeconds,
  };
}

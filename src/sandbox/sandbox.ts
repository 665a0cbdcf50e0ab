import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { startApp, type App } from '../app.js';
import { maskUrl, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createBotApiEmulator, type BotApiEmulator } from '../emulator/index.js';
import { Redis } from 'ioredis';
import { waitFor } from '../startup/wait-for.js';
import { deleteKeys } from '../redis/delete-keys.js';
import { connectRedis } from '../redis/client.js';
import { createCrowd, type Crowd } from './crowd.js';
import { createPopulation } from './population.js';
import { readSandboxFigures, type SandboxFigures } from './sandbox-figures.js';
import type { SandboxOptions } from './sandbox-options.js';

export interface Sandbox {
  app: App;
  /** Resolves once every simulated person has onboarded and the crowd is pressing "Find". */
  ready: Promise<void>;
  emulator: BotApiEmulator;
  crowd: Crowd;
  config: Config;
  figures(): Promise<SandboxFigures>;
  stop(): Promise<void>;
}

const SANDBOX_DB_SUFFIX = '_sandbox';

/**
 * The sandbox's own settings: a separate database (`<name>_sandbox`) and Redis prefix, so a
 * simulated crowd can never write into real data, the built-in Bot API emulator as Telegram,
 * and the chosen proposal TTL.
 */
export function sandboxConfig(
  base: Config,
  options: SandboxOptions,
  emulator: BotApiEmulator,
): Config {
  const url = new URL(base.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'tete';
  url.pathname = `/${name.endsWith(SANDBOX_DB_SUFFIX) ? name : name + SANDBOX_DB_SUFFIX}`;
  return {
    ...base,
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `sandbox:${base.REDIS_PREFIX}`,
    BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    WEBHOOK_URL: undefined,
    WEBHOOK_SECRET: undefined,
    PROPOSAL_TTL_SECONDS: options.ttl,
    // A token for trying the HTTP API against the sandbox; printed at start.
    INTERNAL_API_TOKEN: base.INTERNAL_API_TOKEN ?? `sandbox-${randomBytes(12).toString('hex')}`,
    ROLES: ['api', 'bot', 'matcher', 'timers'],
  };
}

/** Starts from nothing each time, so the same seed gives the same run. */
async function reset(config: Config, log: Logger): Promise<void> {
  const url = new URL(config.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name.endsWith(SANDBOX_DB_SUFFIX))
    throw new Error('refusing to reset a non-sandbox database');
  url.pathname = '/postgres';
  const timeoutMs = config.STARTUP_TIMEOUT_SECONDS * 1000;
  // Redis first: when it is down, nothing has been dropped yet.
  await waitFor(
    async () => {
      const redis = new Redis(config.REDIS_URL, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        await connectRedis(redis);
        await deleteKeys(redis, `${config.REDIS_PREFIX}*`);
      } finally {
        redis.disconnect();
      }
    },
    { service: 'Redis', where: maskUrl(config.REDIS_URL), timeoutMs, log },
  );
  await waitFor(
    async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
    { service: 'PostgreSQL', where: maskUrl(url.toString()), timeoutMs, log },
  );
}

/**
 * The whole product on this machine with no Telegram token: the real service (every role),
 * the built-in Bot API emulator in place of Telegram's servers, and a simulated crowd in
 * place of the humans. Nothing else is simulated.
 */
export async function startSandbox(
  base: Config,
  log: Logger,
  options: SandboxOptions,
): Promise<Sandbox> {
  const emulator = createBotApiEmulator({
    bot: { username: 'tete_sandbox_bot', firstName: 'tete' },
  });
  await emulator.start();
  const config = sandboxConfig(base, options, emulator);
  await reset(config, log);
  const app = await startApp({ config, log, migrate: true, botInfo: emulator.botInfo });
  const topicIds = await app.deps.db.anyFirst(
    sql.type(z.object({ id: z.number() }))`SELECT id FROM topics ORDER BY id`,
  );
  const profiles = createPopulation({ seed: options.seed, size: options.users, topicIds });
  const crowd = createCrowd({ emulator, profiles, rate: options.rate, seed: options.seed, log });
  const ready = crowd.start();
  ready.catch((error: unknown) => log.error({ err: error }, 'the simulated crowd failed to start'));
  return {
    app,
    ready,
    emulator,
    crowd,
    config,
    figures: () => readSandboxFigures(app, crowd),
    async stop() {
      crowd.stop();
      await app.stop();
      await emulator.stop();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { sql } from 'slonik';
import { z } from 'zod';
import { createBotApiEmulator, type BotApiEmulator } from '@tete/bot-api-emulator';
import { startApp, type App } from '../src/app.js';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { senderLimiter } from '../src/outbound/paid-broadcast.js';
import { createCrowd, type Crowd } from './crowd.js';
import { SANDBOX_PAUSE_DAY_HOURS } from './crowd-pause.js';
import { createPopulation } from './population.js';
import { readSandboxFigures, type SandboxFigures } from './sandbox-figures.js';
import type { SandboxOptions } from './sandbox-options.js';
import { claimSandboxSpace, sandboxSpace, type SandboxSpace } from './sandbox-space.js';

export interface Sandbox {
  app: App;
  /** Resolves true once every simulated person has onboarded, false if stopped before. */
  ready: Promise<boolean>;
  emulator: BotApiEmulator;
  crowd: Crowd;
  config: Config;
  space: SandboxSpace;
  figures(): Promise<SandboxFigures>;
  stop(): Promise<void>;
}

/** How a run sets its crowd up, beyond the flags every sandbox takes. */
export interface SandboxSetup {
  /**
   * Bot API calls a second while the crowd onboards, in place of OUTBOUND_RATE_PER_SECOND (the
   * emulator enforces no limit of its own): each person still onboards through the bot, only
   * faster. The configured rate applies again before `ready` resolves. Unset: the configured
   * rate throughout.
   */
  onboardingRatePerSecond?: number;
  /** Whether people press "Find" as soon as they have onboarded (default true). */
  findWhenOnboarded?: boolean;
  /** The crowd goes through the /find lifecycle only (see CrowdOptions.lifecycleOnly). */
  lifecycleOnly?: boolean;
}

/** PostgreSQL connections of the sandbox's single process (see sandboxConfig). */
const SANDBOX_POOL_SIZE = 20;

/**
 * The sandbox's own settings: its own database and Redis prefix, the built-in Bot API
 * emulator as Telegram, and the chosen proposal TTL.
 */
export function sandboxConfig(
  base: Config,
  options: SandboxOptions,
  emulator: BotApiEmulator,
  space: SandboxSpace,
): Config {
  return {
    ...base,
    DATABASE_URL: space.databaseUrl,
    REDIS_PREFIX: space.prefix,
    BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    WEBHOOK_URL: undefined,
    WEBHOOK_SECRET: undefined,
    PROPOSAL_TTL_SECONDS: options.ttl,
    PAUSE_DAY_HOURS: SANDBOX_PAUSE_DAY_HOURS,
    // A token for trying the HTTP API against the sandbox; printed at start.
    INTERNAL_API_TOKEN: base.INTERNAL_API_TOKEN ?? `sandbox-${randomBytes(12).toString('hex')}`,
    ROLES: ['api', 'bot', 'matcher', 'timers'],
    // Every role shares this one process's pool: update handlers, outbound senders and matchers
    // (16 of each by default) queued for 10 connections.
    DATABASE_POOL_SIZE: Math.max(base.DATABASE_POOL_SIZE, SANDBOX_POOL_SIZE),
  };
}

/**
 * How many people onboard at once. Each onboarding waits on the bot's per-chat pace (about a
 * message per OUTBOUND_CHAT_INTERVAL_MS), so this many of them take about two thirds of the
 * bot's overall send rate and leave the rest to proposals and chats from the first minute.
 */
export function onboardingConcurrency(
  config: Config,
  ratePerSecond = config.OUTBOUND_RATE_PER_SECOND,
): number {
  const perChatPerSecond = 1000 / Math.max(config.OUTBOUND_CHAT_INTERVAL_MS, 20);
  const share = (ratePerSecond * 2) / 3 / perChatPerSecond;
  return Math.max(1, Math.min(96, Math.floor(share)));
}

/**
 * The whole product on this machine with no Telegram token: the real service (every role),
 * the built-in Bot API emulator in place of Telegram's servers, and a simulated crowd in
 * place of the humans. Nothing else is simulated.
 * @throws SandboxBusyError, before touching anything, when another sandbox uses its space.
 */
export async function startSandbox(
  base: Config,
  log: Logger,
  options: SandboxOptions,
  setup: SandboxSetup = {},
): Promise<Sandbox> {
  const space = sandboxSpace(base);
  const claim = await claimSandboxSpace(space, base, log);
  const emulator = createBotApiEmulator({
    bot: { username: 'tete_sandbox_bot', firstName: 'tete' },
  });
  let app: App | undefined;
  try {
    await emulator.start();
    const config = sandboxConfig(base, options, emulator, space);
    app = await startApp({ config, log, migrate: true, botInfo: emulator.botInfo });
    await claim.setPort(app.address.port);
    const topicIds = await app.deps.db.anyFirst(
      sql.type(z.object({ id: z.number() }))`SELECT id FROM topics ORDER BY id`,
    );
    const profiles = createPopulation({ seed: options.seed, size: options.users, topicIds });
    const crowd = createCrowd({
      emulator,
      profiles,
      rate: options.rate,
      onboardingConcurrency: onboardingConcurrency(config, setup.onboardingRatePerSecond),
      seed: options.seed,
      log,
      findWhenOnboarded: setup.findWhenOnboarded,
      lifecycleOnly: setup.lifecycleOnly,
    });
    const ready = onboard(app, setup, () => crowd.start());
    ready.catch((error: unknown) => log.error({ err: error }, 'the simulated crowd failed'));
    const running = app;
    return {
      app: running,
      ready,
      emulator,
      crowd,
      config,
      space,
      figures: () => readSandboxFigures(running, crowd),
      async stop() {
        crowd.stop();
        await running.stop();
        await emulator.stop();
        await claim.release();
      },
    };
  } catch (error) {
    await app?.stop();
    await emulator.stop();
    await claim.release();
    throw error;
  }
}

/**
 * Runs the crowd's onboarding, at `setup.onboardingRatePerSecond` when set: BullMQ's global
 * rate limit of the outbound queue takes the place of the sender's own limiter until then.
 */
async function onboard(
  app: App,
  setup: SandboxSetup,
  start: () => Promise<boolean>,
): Promise<boolean> {
  const queue = app.deps.queues.outbound;
  const rate = setup.onboardingRatePerSecond;
  if (rate === undefined) return start();
  const { max, duration } = senderLimiter(rate);
  await queue.setGlobalRateLimit(max, duration);
  const everyone = await start();
  if (everyone) await queue.removeGlobalRateLimit();
  return everyone;
}

import type { AddressInfo } from 'node:net';
import type { Router } from '@koa/router';
import type { UserFromGetMe } from 'grammy/types';
import type { Config, Role } from './config.js';
import type { Logger } from './logger.js';
import { openResources, type Resources } from './resources.js';
import { createCore, type Core } from './core.js';
import { createHttpServer } from './api/server.js';
import { createHealthRouter } from './api/routes/health.js';
import { createLifecycle } from './startup/lifecycle.js';
import { createTelegramNotifier } from './bot/telegram-notifier.js';
import { createBotUserData } from './bot/bot-user-data.js';
import type { RoleFactory } from './roles/role.js';
import { apiRole } from './roles/api-role.js';
import { botRole } from './roles/bot-role.js';
import { matcherRole } from './roles/matcher-role.js';
import { timersRole } from './roles/timers-role.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Apply pending migrations before starting roles (true for `npm start`). */
  migrate?: boolean;
  /** The bot's identity when already known: skips getMe (tests, the sandbox). */
  botInfo?: UserFromGetMe;
}

/** What the app was built from: its resources and the core services. */
export type AppDeps = Resources & { services: Core };

export interface App {
  readonly deps: AppDeps;
  readonly address: AddressInfo;
  readonly roles: readonly Role[];
  stop(): Promise<void>;
}

/** Started in this order and stopped in reverse: the bot's intake stops first. */
const ROLES: readonly [Role, RoleFactory][] = [
  ['timers', timersRole],
  ['matcher', matcherRole],
  ['api', apiRole],
  ['bot', botRole],
];

/** The core, with Telegram as the way to reach people and the bot's user data to erase. */
function createTelegramCore(resources: Resources): Core {
  const { config, db, redis, keys } = resources;
  return createCore(resources, {
    notifier: ({ users, outbound }) =>
      createTelegramNotifier({
        db,
        outbound,
        topics: () => users.topics(),
        wakingHours: config.WAKING_HOURS,
        skipNoticeHoldMs: config.SKIP_NOTICE_HOLD_MS,
      }),
    owners: [createBotUserData({ redis, keys })],
  });
}

function enabledRoles(config: Config, log: Logger): Role[] {
  return config.ROLES.filter((role) => {
    if (role !== 'bot' || config.BOT_TOKEN) return true;
    log.warn('bot role is off: BOT_TOKEN is not set');
    return false;
  });
}

/**
 * The composition root: opens the resources, builds the core, then builds and starts each
 * role listed in ROLES. Resolves once everything is listening.
 * @throws StartupError when PostgreSQL or Redis stays unreachable past STARTUP_TIMEOUT_SECONDS.
 */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, log } = options;
  // Half the shutdown's time for the jobs in hand; the rest closes the clients and pools.
  const lifecycle = createLifecycle(log, (config.SHUTDOWN_TIMEOUT_SECONDS * 1000) / 2);
  try {
    const resources = await openResources({ ...options, onOpen: (item) => lifecycle.add(item) });
    const core = createTelegramCore(resources);
    const roles = enabledRoles(config, log);
    const routers: Router[] = [
      createHealthRouter({
        db: resources.db,
        redis: resources.redis,
        registry: resources.metrics.registry,
        isShuttingDown: () => lifecycle.isStopping,
        log,
      }),
    ];
    for (const [role, build] of ROLES) {
      if (!roles.includes(role)) continue;
      const parts = build({ resources, core, botInfo: options.botInfo });
      routers.push(...parts.routers);
      for (const component of parts.components) {
        await component.start();
        lifecycle.add(component);
      }
    }
    const http = createHttpServer({ log, metrics: resources.metrics, routers });
    const address = await http.listen(config.PORT, config.HOST);
    lifecycle.add({ name: 'http', stop: () => http.close() });
    log.info({ port: address.port, roles }, 'tete started');
    return { deps: { ...resources, services: core }, address, roles, stop: () => lifecycle.stop() };
  } catch (error) {
    await lifecycle.stop();
    throw error;
  }
}

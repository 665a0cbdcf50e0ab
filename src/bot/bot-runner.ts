import type { Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { Router } from '@koa/router';
import type { UserFromGetMe } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { QUEUE_NAMES, type RedisKeys } from '../redis/keys.js';
import type { Services } from '../services.js';
import type { OutboundMessage } from '../outbound/outbound-message.js';
import { createOutboundSender } from '../outbound/outbound-sender.js';
import { createBot, registerCommands } from './bot.js';
import { createWebhookRouter } from './webhook.js';
import { callBotApiAtStart, startBotApi } from './bot-start.js';

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export interface BotRunnerDeps {
  config: Config;
  token: string;
  botInfo?: UserFromGetMe;
  services: Services;
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  metrics: Metrics;
  log: Logger;
  outboundQueue: Queue<OutboundMessage>;
  /** app.ts's worker factory: it owns creating and closing workers. */
  worker: <T>(name: string, processor: Processor<T>, options?: Partial<WorkerOptions>) => Worker<T>;
  /** The process's HTTP routers; the webhook route is added here in webhook mode. */
  routers: Router[];
}

/**
 * The bot role: the grammY bot (long polling, or the webhook route when WEBHOOK_URL is set),
 * the command menu, and the outbound sender that makes every Bot API send and edit.
 */
export async function startBot(deps: BotRunnerDeps): Promise<{ stop: () => Promise<void> }> {
  const { config, services, log } = deps;
  const bot = createBot({
    token: deps.token,
    apiRoot: config.TELEGRAM_API_ROOT,
    botInfo: deps.botInfo,
    deps: {
      users: services.users,
      matching: services.matching,
      chats: services.chats,
      safety: services.safety,
      accounts: services.accounts,
      outbound: services.outbound,
      redis: deps.redis,
      keys: deps.keys,
      log,
      limits: {
        findPerMinute: config.FIND_RATE_LIMIT_PER_MINUTE,
        commandsPerMinute: config.COMMAND_RATE_LIMIT_PER_MINUTE,
      },
    },
  });
  const atStart = {
    apiRoot: config.TELEGRAM_API_ROOT,
    timeoutMs: config.STARTUP_TIMEOUT_SECONDS * 1000,
    log,
  };
  await startBotApi(bot, registerCommands, atStart);

  const sender = createOutboundSender({
    api: bot.api,
    db: deps.db,
    redis: deps.redis,
    keys: deps.keys,
    queue: deps.outboundQueue,
    metrics: deps.metrics,
    log,
    onBlocked: (userId) => services.accounts.markBotBlocked(userId),
  });
  deps.worker<OutboundMessage>(QUEUE_NAMES.outbound, sender, {
    concurrency: 8,
    limiter: { max: config.OUTBOUND_RATE_PER_SECOND, duration: 1000 },
  });

  if (config.WEBHOOK_URL && config.WEBHOOK_SECRET) {
    deps.routers.push(
      createWebhookRouter({
        bot,
        secret: config.WEBHOOK_SECRET,
        redis: deps.redis,
        keys: deps.keys,
        log,
        leaseMs: config.WEBHOOK_LEASE_SECONDS * 1000,
      }),
    );
    const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret } = config;
    await callBotApiAtStart(
      () => bot.api.setWebhook(url, { secret_token: secret, allowed_updates: ALLOWED_UPDATES }),
      atStart,
    );
    log.info({ mode: 'webhook' }, 'bot started');
    return { stop: async () => {} };
  }

  const polling = bot.start({
    allowed_updates: ALLOWED_UPDATES,
    onStart: () => log.info({ mode: 'polling' }, 'bot started'),
  });
  polling.catch((error: unknown) => log.error({ err: error }, 'long polling stopped'));
  return {
    stop: async () => {
      await bot.stop();
    },
  };
}

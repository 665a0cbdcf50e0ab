import { QUEUE_NAMES } from '../redis/keys.js';
import type { OutboundMessage } from '../outbound/outbound-message.js';
import { createOutboundSender } from '../outbound/outbound-sender.js';
import { createPaidBroadcast, senderLimiter } from '../outbound/paid-broadcast.js';
import { createLaneAging } from '../outbound/lane-aging.js';
import { createHeldMessageRelease } from '../outbound/held-messages.js';
import { createBot, registerCommands } from '../bot/bot.js';
import { createWebhookRouter } from '../bot/webhook.js';
import { callBotApiAtStart, startBotApi } from '../bot/bot-start.js';
import { createConcurrentPolling } from '../bot/concurrent-polling.js';
import { periodic, workerOf, type Component, type RoleFactory } from './role.js';

/** Held messages released at once: each is a lookup and a queue add, no Bot API call. */
const HELD_RELEASE_CONCURRENCY = 4;

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/**
 * The bot role: the grammY bot (long polling, or the webhook route when WEBHOOK_URL is set),
 * the command menu, and the outbound sender that makes every Bot API send and edit.
 */
export const botRole: RoleFactory = ({ resources, core, botInfo }) => {
  const { config, log, redis, keys } = resources;
  if (!config.BOT_TOKEN) throw new Error('the bot role needs BOT_TOKEN');
  const bot = createBot({
    token: config.BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
    botInfo,
    deps: {
      users: core.users,
      searches: core.searches,
      chats: core.chats,
      safety: core.safety,
      accounts: core.accounts,
      outbound: core.outbound,
      redis,
      keys,
      log,
      searchingNoticeDelayMs: config.SEARCHING_NOTICE_DELAY_MS,
      contacts: core.contacts,
      again: core.again,
      moderation: core.moderation,
      admins: config.ADMIN_TELEGRAM_IDS,
      limits: {
        findPerMinute: config.FIND_RATE_LIMIT_PER_MINUTE,
        commandsPerMinute: config.COMMAND_RATE_LIMIT_PER_MINUTE,
      },
      pauses: core.pauses,
      topicRoles: core.topicRoles,
      wakingHours: core.wakingHours,
      standing: core.standing,
    },
  });
  const isSearchOpen = (searchId: string) => core.searches.isOpen(searchId);
  const paid = createPaidBroadcast({
    redis,
    keys,
    freePerSecond: config.OUTBOUND_RATE_PER_SECOND,
    paidPerSecond: config.PAID_BROADCAST_PER_SECOND,
    dailyStars: config.PAID_BROADCAST_DAILY_STARS,
  });
  const sender = createOutboundSender({
    api: bot.api,
    db: resources.db,
    redis,
    keys,
    queue: resources.queues.outbound,
    metrics: resources.metrics,
    log,
    onBlocked: (userId) => core.accounts.markBotBlocked(userId),
    isSearchOpen,
    paid,
  });
  const release = createHeldMessageRelease({
    outbound: core.outbound,
    isSearchOpen,
    settleSkipNotice: (userId, matchId) => core.searches.settleSkipNotice(userId, matchId),
    metrics: resources.metrics,
  });
  const aging = createLaneAging({
    queue: resources.queues.outbound,
    redis,
    keys,
    metrics: resources.metrics,
    maxWaitMs: config.OUTBOUND_LANE_MAX_WAIT_MS,
    noticeMaxWaitMs: config.OUTBOUND_NOTICE_MAX_WAIT_MS,
    ratePerSecond: paid.ratePerSecond,
  });
  const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret } = config;
  const webhook = url && secret ? { url, secret } : null;

  const atStart = {
    apiRoot: config.TELEGRAM_API_ROOT,
    timeoutMs: config.STARTUP_TIMEOUT_SECONDS * 1000,
    log,
  };
  const updateMs = resources.metrics.botUpdateMs;
  const polling = createConcurrentPolling(bot, {
    concurrency: config.POLLING_CONCURRENCY,
    allowedUpdates: ALLOWED_UPDATES,
    log,
    observe: (stage, ms) => updateMs.labels(stage).observe(ms),
  });
  const setup: Component = {
    name: 'bot setup',
    start: () =>
      startBotApi(bot, (started) => registerCommands(started, config.ADMIN_TELEGRAM_IDS), atStart),
    stop: async () => {},
  };
  const intake: Component = {
    name: 'bot',
    async start() {
      if (webhook) {
        await callBotApiAtStart(
          () =>
            bot.api.setWebhook(webhook.url, {
              secret_token: webhook.secret,
              allowed_updates: ALLOWED_UPDATES,
            }),
          atStart,
        );
        log.info({ mode: 'webhook' }, 'bot started');
        return;
      }
      await callBotApiAtStart(() => polling.start(), atStart);
      log.info({ mode: 'polling', concurrency: config.POLLING_CONCURRENCY }, 'bot started');
    },
    // In webhook mode the HTTP server stops the intake; this only ends long polling.
    stop: async () => {
      if (!webhook) await polling.stop();
    },
  };
  return {
    routers: webhook
      ? [
          createWebhookRouter({
            bot,
            secret: webhook.secret,
            redis,
            keys,
            log,
            leaseMs: config.WEBHOOK_LEASE_SECONDS * 1000,
          }),
        ]
      : [],
    components: [
      setup,
      workerOf<OutboundMessage>(resources, QUEUE_NAMES.outbound, sender, {
        concurrency: config.OUTBOUND_CONCURRENCY,
        limiter: senderLimiter(paid.ratePerSecond),
      }),
      workerOf<OutboundMessage>(resources, QUEUE_NAMES.heldMessages, release, {
        concurrency: HELD_RELEASE_CONCURRENCY,
      }),
      periodic(resources, 'outbound lane aging', aging.intervalMs, () => aging.round()),
      intake,
    ],
  };
};

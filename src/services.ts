import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';
import type { RedisKeys } from './redis/keys.js';
import { createMatchProducer } from './streams/match-producer.js';
import { wakingMinutes } from './matcher/score.js';
import { createSearchService } from './searches/search-service.js';
import { createSearchSweeper } from './searches/search-sweeper.js';
import { createProposalStore } from './proposals/proposal-store.js';
import { createProposalRuntime } from './proposals/proposal-runtime.js';
import { createProposalEffects } from './proposals/proposal-effects.js';
import { createProposalTimers, type ProposalTimerData } from './proposals/proposal-timers.js';
import { loadDurableProposal } from './proposals/proposal-durable.js';
import type { ProposalInspector } from './proposals/proposal-inspector.js';
import { createReconciler } from './proposals/reconciler.js';
import { createEffectSweeper } from './proposals/effect-sweeper.js';
import { createDelayedJobs } from './queues/delayed-jobs.js';
import { createChatTimers, type ChatIdleData } from './chats/chat-timers.js';
import { createChatService } from './chats/chat-service.js';
import { createSafetyService } from './safety/safety-service.js';
import { createUserService } from './users/user-service.js';
import { createAccountService } from './users/account-service.js';
import { createOutbound } from './outbound/outbound-queue.js';
import type { OutboundMessage } from './outbound/outbound-message.js';
import { createTelegramNotifier } from './bot/telegram-notifier.js';

export interface ServiceResources {
  config: Config;
  log: Logger;
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  metrics: Metrics;
  queues: {
    proposalTimers: Queue<ProposalTimerData>;
    chatTimers: Queue<ChatIdleData>;
    outbound: Queue<OutboundMessage>;
  };
  inspector?: ProposalInspector;
}

/**
 * The service graph, built from resources app.ts created. Plain factories only: nothing here
 * opens a connection or starts a worker.
 */
export function createServices(resources: ServiceResources) {
  const { config, log, db, redis, keys, metrics, queues } = resources;
  const hours = config.WAKING_HOURS;

  const users = createUserService({ db });
  const outbound = createOutbound({
    queue: queues.outbound,
    redis,
    keys,
    chatIntervalMs: config.OUTBOUND_CHAT_INTERVAL_MS,
    chatBurst: config.OUTBOUND_CHAT_BURST,
  });
  const notifier = createTelegramNotifier({
    db,
    outbound,
    topics: () => users.topics(),
    wakingHours: hours,
  });
  const producer = createMatchProducer({ redis, keys, maxLen: config.MATCH_STREAM_MAXLEN });
  const proposalTimers = createProposalTimers(
    createDelayedJobs<ProposalTimerData>(queues.proposalTimers, 'proposal.expire'),
  );
  const chatTimers = createChatTimers(
    createDelayedJobs<ChatIdleData>(queues.chatTimers, 'chat.idle'),
  );
  const chatIdleMs = config.CHAT_IDLE_HOURS * 3_600_000;
  const chats = createChatService({ db, notifier, timers: chatTimers, idleMs: chatIdleMs });
  const store = createProposalStore({ redis, keys });
  const runtime = createProposalRuntime({
    store,
    execute: createProposalEffects({
      db,
      timers: proposalTimers,
      chatTimers,
      producer,
      notifier,
      cooldownHours: config.COOLDOWN_HOURS,
      chatIdleMs,
    }),
    loadDurable: (matchId) => loadDurableProposal(db, matchId, config.MAX_REQUEUES),
    metrics,
    log,
    inspector: resources.inspector,
    retentionSeconds: 86_400,
  });
  const searches = createSearchService({ db, producer, runtime, metrics });
  const safety = createSafetyService({
    db,
    chats,
    suspendThreshold: config.REPORT_SUSPEND_THRESHOLD,
  });
  const accounts = createAccountService({
    db,
    redis,
    keys,
    runtime,
    store,
    chats,
    outboundQueue: queues.outbound,
    log,
  });
  return {
    users,
    outbound,
    notifier,
    producer,
    proposalTimers,
    chatTimers,
    chats,
    store,
    runtime,
    searches,
    safety,
    accounts,
    claimOptions: {
      proposalTtlMs: config.PROPOSAL_TTL_SECONDS * 1000,
      wakingMinutes: wakingMinutes(hours),
      onSelect: (ms: number) => metrics.selectMs.observe(ms),
    },
    reconciler: createReconciler({ db, redis, keys, runtime, timers: proposalTimers, log }),
    effectSweeper: createEffectSweeper({ store, runtime, log, graceMs: 10_000 }),
    searchSweeper: createSearchSweeper({
      db,
      producer,
      notifier,
      log,
      searchTtlMs: config.SEARCH_TTL_MINUTES * 60_000,
      stuckAfterMs: 120_000,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

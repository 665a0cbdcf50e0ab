import type { Resources } from './resources.js';
import { createMatchProducer, type MatchProducer } from './streams/match-producer.js';
import { createSearchService } from './searches/search-service.js';
import { createSearchSweeper } from './searches/search-sweeper.js';
import { createSearchStartBatcher } from './searches/search-start-batcher.js';
import { createStandingService } from './searches/standing-service.js';
import { createProposalStore, type ProposalStore } from './proposals/proposal-store.js';
import { createProposalRuntime, type ProposalRuntime } from './proposals/proposal-runtime.js';
import { createProposalEffects, executeWith } from './proposals/proposal-effects.js';
import type { EffectExecutor, SettlementExecutor } from './proposals/proposal-outbox.js';
import { createProposalTimers, type ProposalTimerData } from './proposals/proposal-timers.js';
import { createProposalUserData } from './proposals/proposal-user-data.js';
import { loadDurableProposal } from './proposals/proposal-durable.js';
import { createReconciler } from './proposals/reconciler.js';
import { createEffectSweeper } from './proposals/effect-sweeper.js';
import { createDelayedJobs } from './queues/delayed-jobs.js';
import { createHeldMessages } from './outbound/held-messages.js';
import { createChatTimers, type ChatIdleData, type ChatTimers } from './chats/chat-timers.js';
import { createChatService } from './chats/chat-service.js';
import { createSafetyService } from './safety/safety-service.js';
import { createUserService, type UserService } from './users/user-service.js';
import { createAccountService } from './users/account-service.js';
import type { UserDataOwner } from './erasure/user-data.js';
import { createOutbound, type Outbound } from './outbound/outbound-queue.js';
import { createLossMarker } from './redis/loss-marker.js';
import { createRedisLossRepair } from './recovery/redis-loss-repair.js';
import type { Notifier } from './notifications/notifier.js';
import { createContactExchange } from './contacts/contact-exchange-service.js';
import { createWakeHolds, type WakeHoldData } from './time/wake-hold.js';
import { createPersonalHours } from './time/personal-hours.js';
import { createNightRule } from './notifications/night-rule.js';
import { createAgainService } from './again/again-service.js';
import { createPauseService, type PauseEndData } from './pauses/pause-service.js';
import { createModeration } from './safety/moderation-service.js';
import { createTopicRoles } from './users/topic-roles.js';

export interface CoreOptions {
  /** Builds the core's one way to reach people; the roles' wiring injects Telegram's. */
  notifier: (parts: { users: UserService; outbound: Outbound }) => Notifier;
  /** Modules outside the core that keep user data too (the bot's), erased on /delete. */
  owners?: readonly UserDataOwner[];
}

/**
 * A proposal runtime over `store` and `execute`: the app's own, and any other built the same
 * way (a second process's, in tests).
 */
export function createProposalRuntimeOf(
  resources: Pick<Resources, 'config' | 'db' | 'metrics' | 'log' | 'inspector'>,
  parts: { store: ProposalStore; execute: EffectExecutor; settle?: SettlementExecutor },
): ProposalRuntime {
  const { config, db } = resources;
  return createProposalRuntime({
    ...parts,
    loadDurable: (matchId) => loadDurableProposal(db, matchId, config.MAX_REQUEUES),
    metrics: resources.metrics,
    log: resources.log,
    inspector: resources.inspector,
    retentionSeconds: config.PROPOSAL_RETENTION_SECONDS,
  });
}

/** The proposal actors: their records, timers, effects and runtime. */
function createProposals(
  resources: Resources,
  parts: { producer: MatchProducer; notifier: Notifier; chatTimers: ChatTimers },
) {
  const { config, db, redis, keys, queues } = resources;
  const timers = createProposalTimers(
    createDelayedJobs<ProposalTimerData>(queues.proposalTimers, 'proposal.expire'),
  );
  const store = createProposalStore({ redis, keys });
  const { effects, settleTogether: settle } = createProposalEffects({
    ...parts,
    db,
    timers,
    cooldownHours: config.COOLDOWN_HOURS,
    chatIdleMs: config.CHAT_IDLE_HOURS * 3_600_000,
  });
  const execute = executeWith(effects);
  const runtime = createProposalRuntimeOf(resources, { store, execute, settle });
  const userData = createProposalUserData({ db, store });
  return { timers, store, execute, settle, runtime, userData };
}

/**
 * The service graph every role uses, built from the process's resources. Plain factories
 * only: nothing here opens a connection or starts a worker, and nothing knows Telegram.
 */
export function createCore(resources: Resources, options: CoreOptions) {
  const { config, log, db, redis, keys, metrics, queues } = resources;
  const users = createUserService({ db });
  const outbound = createOutbound({
    queue: queues.outbound,
    held: createHeldMessages(queues.heldMessages),
    db,
    redis,
    keys,
    chatIntervalMs: config.OUTBOUND_CHAT_INTERVAL_MS,
    chatBurst: config.OUTBOUND_CHAT_BURST,
    searchMarginMs: config.OUTBOUND_SEARCH_MARGIN_MS,
  });
  const holds = createWakeHolds({
    db,
    queue: queues.wakeHolds,
    jobs: createDelayedJobs<WakeHoldData>(queues.wakeHolds, 'wake.hold'),
    wakingHours: config.WAKING_HOURS,
  });
  // Every notice leaves through the night rule: held, dropped or sent now during someone's night.
  const notifier = createNightRule({ notifier: options.notifier({ users, outbound }), holds, log });
  const producer = createMatchProducer({ redis, keys, maxLen: config.MATCH_STREAM_MAXLEN });
  const chatTimers = createChatTimers(
    createDelayedJobs<ChatIdleData>(queues.chatTimers, 'chat.idle'),
  );
  const chatIdleMs = config.CHAT_IDLE_HOURS * 3_600_000;
  const chats = createChatService({ db, notifier, timers: chatTimers, idleMs: chatIdleMs });
  const proposals = createProposals(resources, { producer, notifier, chatTimers });
  const { runtime, store } = proposals;
  const start = createSearchStartBatcher({
    db,
    windowMs: config.SEARCH_START_BATCH_MS,
    maxSize: config.SEARCH_START_BATCH_MAX,
  });
  const searches = createSearchService({ db, producer, runtime, metrics, start });
  const standing = createStandingService({
    db,
    searches,
    hours: config.STANDING_REQUEST_HOURS,
    proposalTtlMs: config.STANDING_PROPOSAL_TTL_SECONDS * 1000,
    wakingHours: config.WAKING_HOURS,
  });
  const safety = createSafetyService({
    db,
    chats,
    suspendThreshold: config.REPORT_SUSPEND_THRESHOLD,
    falseReportLimit: config.FALSE_REPORT_LIMIT,
  });
  const contacts = createContactExchange({
    db,
    notifier,
    windowHours: config.CONTACT_EXCHANGE_HOURS,
  });
  const again = createAgainService({
    db,
    runtime,
    notifier,
    holds,
    log,
    proposalTtlMs: config.STANDING_PROPOSAL_TTL_SECONDS * 1000,
    maxRequeues: config.MAX_REQUEUES,
  });
  const pauses = createPauseService({
    db,
    jobs: createDelayedJobs<PauseEndData>(queues.pauseTimers, 'pause.end'),
    notifier,
    wakingHours: config.WAKING_HOURS,
    dayMs: config.PAUSE_DAY_HOURS * 3_600_000,
  });
  const wakingHours = createPersonalHours({ db, fallback: config.WAKING_HOURS });
  const moderation = createModeration({ db, notifier, suspend: safety.suspend });
  const owners = [
    searches,
    safety,
    proposals.userData,
    chats,
    outbound,
    producer,
    contacts,
    again,
    pauses.userData,
    moderation,
    wakingHours,
    standing,
  ];
  const reconciler = createReconciler({
    db,
    redis,
    keys,
    runtime,
    timers: proposals.timers,
    loadDurable: (matchId) => loadDurableProposal(db, matchId, config.MAX_REQUEUES),
    execute: proposals.execute,
    graceMs: config.EFFECT_SWEEP_GRACE_SECONDS * 1000,
    // One sweep late: the timer had a whole sweep's time to fire and did not.
    timerOverdueMs: config.SWEEP_INTERVAL_SECONDS * 1000,
    log,
  });
  const searchSweeper = createSearchSweeper({
    db,
    producer,
    notifier,
    log,
    searchTtlMs: config.SEARCH_TTL_MINUTES * 60_000,
    standingHours: config.STANDING_REQUEST_HOURS,
    stuckAfterMs: config.SEARCH_STUCK_SECONDS * 1000,
  });
  return {
    users,
    outbound,
    notifier,
    producer,
    proposalTimers: proposals.timers,
    chatTimers,
    chats,
    store,
    execute: proposals.execute,
    settle: proposals.settle,
    runtime,
    searches,
    standing,
    safety,
    holds,
    again,
    pauses,
    topicRoles: createTopicRoles({ db }),
    wakingHours,
    accounts: createAccountService({
      db,
      runtime,
      chats,
      owners: [...owners, ...(options.owners ?? [])],
      log,
    }),
    effectSweeper: createEffectSweeper({
      store,
      runtime,
      log,
      graceMs: config.EFFECT_SWEEP_GRACE_SECONDS * 1000,
    }),
    reconciler,
    searchSweeper,
    contacts,
    moderation,
    recovery: createRedisLossRepair({
      marker: createLossMarker({ redis, keys }),
      reconciler,
      searchSweeper,
      chats,
      log,
    }),
  };
}

export type Core = ReturnType<typeof createCore>;

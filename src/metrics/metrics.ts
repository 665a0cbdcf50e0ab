import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Where gauges of shared state read their value at scrape time. Any process can serve them,
 * so the queue lag keeps rising even when every matcher is down.
 */
export interface MetricSources {
  queue?: () => Promise<{ size: number; lagMs: number }>;
  waitingPool?: () => Promise<number>;
  acceptRate?: () => Promise<number>;
  outboundDepth?: () => Promise<number>;
}

/** Runs a source at scrape time; a failing source keeps the last value rather than failing the scrape. */
function from<T>(source: (() => Promise<T>) | undefined, apply: (value: T) => void) {
  if (!source) return undefined;
  return async () => {
    try {
      apply(await source());
    } catch {
      // Leave the previous value; /readyz reports the dependency that failed.
    }
  };
}

/**
 * Every metric the service exports, in one registry per process. Names follow the sprint
 * document; the Grafana dashboard and the alert rules are checked against this list.
 */
export function createMetrics(sources: MetricSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let queue: Promise<{ size: number; lagMs: number }> | undefined;
  // Size and lag come from one Redis round; share it between the two gauges of one scrape.
  // prom-client starts every collect of a scrape in the same tick, so sharing the promise
  // while it is in flight is enough; keeping it longer would serve the next scrape stale data.
  const queueOnce = sources.queue
    ? () => {
        queue ??= sources.queue!().finally(() => {
          queue = undefined;
        });
        return queue;
      }
    : undefined;
  const gauges = {
    queueSize: new Gauge({
      name: 'match_queue_size',
      help: 'Entries of match.find not yet acknowledged: undelivered plus pending',
      registers,
      collect: from(queueOnce, (value) => gauges.queueSize.set(value.size)),
    }),
    waitingPoolSize: new Gauge({
      name: 'match_waiting_pool_size',
      help: 'Users in the waiting pool, searching with no partner yet',
      registers,
      collect: from(sources.waitingPool, (value) => gauges.waitingPoolSize.set(value)),
    }),
    workerLag: new Gauge({
      name: 'match_worker_lag_ms',
      help: 'Age of the oldest match.find entry not yet processed, in milliseconds (0 when idle)',
      registers,
      collect: from(queueOnce, (value) => gauges.workerLag.set(value.lagMs)),
    }),
    acceptRate: new Gauge({
      name: 'accept_rate',
      help: 'Share of proposals decided in the last 60 minutes that ended Confirmed',
      registers,
      collect: from(sources.acceptRate, (value) => gauges.acceptRate.set(value)),
    }),
    outboundDepth: new Gauge({
      name: 'outbound_queue_depth',
      help: 'Bot API calls waiting in the outbound queue (waiting plus delayed)',
      registers,
      collect: from(sources.outboundDepth, (value) => gauges.outboundDepth.set(value)),
    }),
  };
  return {
    ...gauges,
    registry,
    findRequests: new Counter({
      name: 'match_find_requests_total',
      help: 'Presses of "Find a partner" by outcome (queued, already, busy, profile_incomplete, ...)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    proposalsSent: new Counter({
      name: 'proposals_sent_total',
      help: 'Proposals created and handed to the outbound path (one per proposal)',
      registers,
    }),
    ttlExpired: new Counter({
      name: 'proposal_ttl_expired_total',
      help: 'Proposals that ended Expired because nobody (or only one side) answered in time',
      registers,
    }),
    accepts: new Counter({
      name: 'match_accept_total',
      help: 'Proposals that ended Confirmed: both users accepted',
      registers,
    }),
    declines: new Counter({
      name: 'match_decline_total',
      help: 'Proposals that ended Declined: one user skipped',
      registers,
    }),
    selectMs: new Histogram({
      name: 'sql_match_select_ms',
      help: 'Time of the candidate selection query, in milliseconds',
      buckets: [0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 1000],
      registers,
    }),
    timeToProposal: new Histogram({
      name: 'match_time_to_proposal_ms',
      help: 'From the /find request to the proposal being created, in milliseconds',
      buckets: [5, 10, 20, 50, 100, 250, 500, 1000, 5000, 15000, 30000, 60000, 300000, 1800000],
      registers,
    }),
    dead: new Counter({
      name: 'match_dead_total',
      help: 'match.find entries moved to match.dead after too many failed deliveries',
      registers,
    }),
    telegramRequests: new Counter({
      name: 'telegram_api_requests_total',
      help: 'Bot API calls made by the outbound sender, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    outboundWaits: new Counter({
      name: 'outbound_waits_total',
      help: 'Outbound jobs put back to wait: for an earlier message to the same chat (turn), for the message they edit or answer (ref), or for a free slot once paid broadcasts may not be used (budget)',
      labelNames: ['reason'] as const,
      registers,
    }),
    outboundRuns: new Counter({
      name: 'outbound_runs_total',
      help: "Outbound jobs the sender ran, each taking one of the rate limiter's slots, by outcome: a Bot API call made (called), put back to wait (waited), moot by the time it ran (moot), or delivered already (replayed)",
      labelNames: ['outcome'] as const,
      registers,
    }),
    outboundHeld: new Counter({
      name: 'outbound_held_total',
      help: 'Held messages ("Looking for a partner…") at their time: queued to send, or dropped because the search had its proposal or ended',
      labelNames: ['outcome'] as const,
      registers,
    }),
    outboundPromotions: new Counter({
      name: 'outbound_promoted_total',
      help: 'Outbound jobs moved to the front of the queue after waiting behind higher lanes longer than OUTBOUND_LANE_MAX_WAIT_MS (chat, reply) or OUTBOUND_NOTICE_MAX_WAIT_MS (notice), by lane',
      labelNames: ['lane'] as const,
      registers,
    }),
    telegramMessages: new Counter({
      name: 'telegram_messages_total',
      help: 'Sends and edits the Bot API accepted, by what they were for (proposal, chat_open, relay, ...)',
      labelNames: ['purpose'] as const,
      registers,
    }),
    telegramPaidMessages: new Counter({
      name: 'telegram_paid_messages_total',
      help: 'Messages sent with allow_paid_broadcast beyond the free rate (0.1 Star each)',
      registers,
    }),
    findToProposalDelivered: new Histogram({
      name: 'match_find_to_proposal_delivered_ms',
      help: "From /find to the person's first proposal accepted by the Bot API, in milliseconds",
      buckets: [100, 250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000, 60000, 300000],
      registers,
    }),
    telegram429: new Counter({
      name: 'telegram_api_429_total',
      help: 'Bot API answers of 429 Too Many Requests',
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_ms',
      help: 'HTTP request duration by route and status, in milliseconds',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000],
      registers,
    }),
    botUpdateMs: new Histogram({
      name: 'bot_update_ms',
      help: 'Long polling: how long an update waited for its turn (queued) and how long its handler ran (handling), in milliseconds',
      labelNames: ['stage'] as const,
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    outboundStageMs: new Histogram({
      name: 'outbound_stage_ms',
      help: "Where an outbound message's time goes, by lane: pacing (the chat's scheduled delay), queue (due until a worker took it), turn (waiting for the chat's previous message), call (the Bot API call), in milliseconds",
      labelNames: ['stage', 'lane'] as const,
      // Bounds at the lanes' default starvation bounds and 1.5 times them (3, 4.5, 10, 15 s), so a
      // lane's p95 is judged against them exactly, not interpolated across a wide bucket.
      buckets: [
        1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 3000, 4500, 5000, 10000, 15000, 20000, 30000,
        60000,
      ],
      registers,
    }),
  };
}

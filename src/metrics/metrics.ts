import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Every metric the service exports, in one registry per process. Names follow the sprint
 * document; the Grafana dashboard and the alert rules are checked against this list.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    findRequests: new Counter({
      name: 'match_find_requests_total',
      help: 'Presses of "Find a partner" by outcome (queued, already, busy, profile_incomplete, ...)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    queueSize: new Gauge({
      name: 'match_queue_size',
      help: 'Entries of match.find not yet acknowledged: undelivered plus pending',
      registers,
    }),
    waitingPoolSize: new Gauge({
      name: 'match_waiting_pool_size',
      help: 'Users in the waiting pool, searching with no partner yet',
      registers,
    }),
    workerLag: new Gauge({
      name: 'match_worker_lag_ms',
      help: 'Age of the oldest match.find entry not yet processed, in milliseconds (0 when idle)',
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
    acceptRate: new Gauge({
      name: 'accept_rate',
      help: 'Share of proposals decided in the last 60 minutes that ended Confirmed',
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
    outboundDepth: new Gauge({
      name: 'outbound_queue_depth',
      help: 'Bot API calls waiting in the outbound queue (waiting plus delayed)',
      registers,
    }),
    telegramRequests: new Counter({
      name: 'telegram_api_requests_total',
      help: 'Bot API calls made by the outbound sender, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
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
  };
}

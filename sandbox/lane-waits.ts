import type { App } from '../src/app.js';
import type { OutboundLane } from '../src/outbound/outbound-message.js';

/** The lanes below `search`: what waits while proposals go first. */
export const LOWER_LANES = ['chat', 'reply', 'notice'] as const satisfies readonly OutboundLane[];
export type LowerLane = (typeof LOWER_LANES)[number];

/** outbound_stage_ms{stage="queue"} of one lane: observations at or below each bucket's bound. */
export type QueueWaitBuckets = Record<LowerLane, Map<number, number>>;

/** How long the messages of one lower lane waited in the queue during a step. */
export interface LaneWait {
  lane: LowerLane;
  /** Messages the sender took from the queue in the step. */
  count: number;
  /** p95 of the wait from due to taken, estimated from the histogram; undefined if none. */
  p95Ms: number | undefined;
  /** The lane's starvation bound (OUTBOUND_LANE_MAX_WAIT_MS or OUTBOUND_NOTICE_MAX_WAIT_MS). */
  boundMs: number;
}

/**
 * A lane kept up when its p95 wait stayed within half as much again as its starvation bound:
 * the aging round lets a message wait up to about 1.2 times the bound before it moves it up,
 * so a lane further behind than that is one the bot no longer serves, however fast proposals
 * still go.
 */
export const KEPT_UP_FACTOR = 1.5;

export const keptUp = (wait: LaneWait) =>
  wait.p95Ms === undefined || wait.p95Ms <= wait.boundMs * KEPT_UP_FACTOR;

/** The service's queue-wait histogram of each lower lane, as it stands now. */
export async function queueWaitBuckets(app: App): Promise<QueueWaitBuckets> {
  const metric = await app.deps.metrics.outboundStageMs.get();
  const buckets = Object.fromEntries(
    LOWER_LANES.map((lane) => [lane, new Map<number, number>()]),
  ) as QueueWaitBuckets;
  for (const value of metric.values) {
    const labels = value.labels as Record<string, string | number | undefined>;
    const lane = labels.lane as LowerLane;
    if (labels.stage !== 'queue' || !buckets[lane] || labels.le === undefined) continue;
    buckets[lane].set(labels.le === '+Inf' ? Infinity : Number(labels.le), value.value);
  }
  return buckets;
}

/**
 * The q-quantile of the observations between two snapshots of a cumulative histogram, by
 * linear interpolation inside the bucket it falls in (as Prometheus's histogram_quantile does);
 * the top bucket's lower bound when it falls past the last finite one.
 */
export function quantileBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  q: number,
): { count: number; value: number | undefined } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return { count: 0, value: undefined };
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [i, le] of bounds.entries()) {
    const upTo = counts[i]!;
    if (upTo >= rank) {
      if (!Number.isFinite(le)) return { count: total, value: lower };
      const inBucket = upTo - below;
      return { count: total, value: lower + ((le - lower) * (rank - below)) / inBucket };
    }
    lower = le;
    below = upTo;
  }
  return { count: total, value: lower };
}

/** Each lower lane's p95 queue wait between two snapshots, beside its bound. */
export function laneWaitsBetween(
  before: QueueWaitBuckets,
  after: QueueWaitBuckets,
  boundsMs: Record<LowerLane, number>,
): LaneWait[] {
  return LOWER_LANES.map((lane) => {
    const { count, value } = quantileBetween(before[lane], after[lane], 0.95);
    return { lane, count, p95Ms: value, boundMs: boundsMs[lane] };
  });
}

import type { Job, Queue } from 'bullmq';
import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';
import type { Metrics } from '../metrics/metrics.js';
import { LANE_PRIORITY, type OutboundMessage } from './outbound-message.js';

/** The BullMQ priorities of the lanes below `search`, highest first (1 before 2). */
const PRIORITIES = [
  ...new Set(Object.values(LANE_PRIORITY).filter((p): p is number => p !== undefined)),
].sort((a, b) => a - b);
/**
 * How many jobs at the head of each priority are looked at per round. The head is where the
 * jobs that became due first are (BullMQ orders a priority's jobs by when they entered it), so
 * a round reads a few dozen job hashes however long the queue is.
 */
const HEAD = 32;
/** Share of the sender's rate that promoted jobs may take at most (see createLaneAging). */
const PROMOTED_SHARE = 1 / 2;

export interface LaneAgingDeps {
  queue: Queue<OutboundMessage>;
  redis: RedisClient;
  keys: RedisKeys;
  metrics: Metrics;
  /** OUTBOUND_LANE_MAX_WAIT_MS: how long a due chat or reply job may wait behind higher lanes. */
  maxWaitMs: number;
  /** OUTBOUND_NOTICE_MAX_WAIT_MS: the same for a notice, which nobody is waiting for. */
  noticeMaxWaitMs: number;
  /** The sender's overall rate (free plus paid), all processes together. */
  ratePerSecond: number;
  now?: () => number;
}

/**
 * When a job last became due: when it was queued plus its pacing delay, or, after the sender
 * put it back (its turn, a retry), when it ran then plus the new delay. The second is a little
 * early (the run itself took some time), which only promotes such a job a little sooner.
 */
export function becameDue(job: Job<OutboundMessage>, now: number): number {
  const queued = job.timestamp + (job.opts.delay ?? 0);
  const again = job.processedOn !== undefined ? job.processedOn + (job.delay ?? 0) : 0;
  return Math.min(now, Math.max(queued, again));
}

/** Each lower lane's starvation bound: notices have their own, longer one. */
export function laneBoundsMs(maxWaitMs: number, noticeMaxWaitMs: number) {
  return { chat: maxWaitMs, reply: maxWaitMs, notice: noticeMaxWaitMs };
}

/** How often the aging round runs: a fifth of the bound, so a job waits at most ~1.2× it. */
export function agingIntervalMs(maxWaitMs: number): number {
  return Math.max(50, Math.min(1_000, Math.round(maxWaitMs / 5)));
}

/**
 * The starvation bound of the outbound queue. BullMQ takes jobs without a priority (`search`)
 * before any prioritized one, and smaller priorities first, so at the bot's global limit a
 * steady stream of proposals holds `chat`, `reply` and `notice` messages back indefinitely.
 * Every round, the jobs among the oldest of each priority that have been due longer than their
 * lane's bound join the search lane's line (priority 0, at its end), oldest first. At its end,
 * not its front, so a proposal already waiting is never pushed back by a promotion; a promoted
 * message still goes before every proposal queued after it. Notices get a longer bound than
 * chat lines and replies: nobody is waiting for them, and every promotion takes a proposal's
 * slot, so near the limit a short one slowed proposals.
 *
 * A chat's order is untouched: the sender still sends each lane's messages in their order
 * (chat-order.ts), so a promoted message whose predecessor is not done yet waits its turn.
 * Promotions take at most half the sender's rate, so proposals keep the other half even when
 * everything below them is overdue; the bound holds while the lower lanes need less than that.
 * One process runs a round at a time (a lock as long as a round), so several bot processes do
 * not read the same heads twice.
 */
export function createLaneAging(deps: LaneAgingDeps) {
  const now = deps.now ?? Date.now;
  const intervalMs = agingIntervalMs(Math.min(deps.maxWaitMs, deps.noticeMaxWaitMs));
  const bounds = laneBoundsMs(deps.maxWaitMs, deps.noticeMaxWaitMs);
  const boundOf = (job: Job<OutboundMessage>) => {
    const lane = job.data.lane ?? 'notice';
    return lane === 'search' ? Infinity : bounds[lane];
  };
  const perRound = Math.max(
    1,
    Math.floor((deps.ratePerSecond * intervalMs * PROMOTED_SHARE) / 1000),
  );

  /** The jobs at the head of each priority, read with one range per priority. */
  async function heads(): Promise<Job<OutboundMessage>[]> {
    const counts = await deps.queue.getCountsPerPriority(PRIORITIES);
    const jobs: Job<OutboundMessage>[] = [];
    let offset = 0;
    for (const priority of PRIORITIES) {
      const count = counts[String(priority)] ?? 0;
      if (count > 0) {
        const range = await deps.queue.getPrioritized(offset, offset + Math.min(count, HEAD) - 1);
        jobs.push(...(range as Job<OutboundMessage>[]).filter((job) => job.priority === priority));
      }
      offset += count;
    }
    return jobs;
  }

  return {
    intervalMs,
    /** One round; resolves with how many jobs it promoted. */
    async round(): Promise<number> {
      const locked = await deps.redis.set(deps.keys.outboundAging, '1', 'PX', intervalMs, 'NX');
      if (locked !== 'OK') return 0;
      const at = now();
      const overdue = (await heads())
        .map((job) => ({ job, due: becameDue(job, at) }))
        .filter(({ job, due }) => at - due > boundOf(job))
        .sort((a, b) => a.due - b.due)
        .slice(0, perRound);
      let promoted = 0;
      // Each goes to the end of the line (FIFO): the oldest first, so it goes first.
      for (const { job } of overdue) {
        try {
          await job.changePriority({ priority: 0, lifo: false });
        } catch {
          continue; // finished or removed meanwhile: nothing left to promote
        }
        promoted += 1;
        deps.metrics.outboundPromotions.labels(job.data.lane ?? 'notice').inc();
      }
      return promoted;
    },
  };
}

export type LaneAging = ReturnType<typeof createLaneAging>;

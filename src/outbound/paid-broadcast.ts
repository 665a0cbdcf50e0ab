import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';
import type { OutboundMethod } from './outbound-message.js';

/**
 * Telegram's paid broadcasts: with `allow_paid_broadcast` a send may go beyond the free ~30
 * messages a second (up to 1000) for 0.1 Star each. Only sends and copies may carry it; edits
 * always count against the free limit.
 */
export const STARS_PER_PAID_MESSAGE = 0.1;
/** How much slower than Telegram's free rate the free budget is spent (see decide). */
const FREE_MARGIN = 1.05;
const PAYABLE: ReadonlySet<OutboundMethod> = new Set(['sendMessage', 'copyMessage']);

export interface PaidBroadcastDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /** Telegram's free rate, all chats together (OUTBOUND_RATE_PER_SECOND). */
  freePerSecond: number;
  /** Messages a second allowed beyond it (PAID_BROADCAST_PER_SECOND); 0 turns it off. */
  paidPerSecond: number;
  /** Stars that may be spent on one UTC day (PAID_BROADCAST_DAILY_STARS). */
  dailyStars: number;
  now?: () => number;
}

/**
 * `free`: send as usual. `paid`: send with `allow_paid_broadcast`. `wait`: the free budget is
 * spent for now and this call may not (or, past the day's cap, can no longer) be paid for:
 * try again once a free slot is back.
 */
export type BroadcastDecision = 'free' | 'paid' | 'wait';

// Telegram's free global limit as a token bucket of one second's worth (GCRA, like the
// per-chat pacing): takes a slot and answers 1 while the bucket has more than ARGV[4] slots
// left, else 0.
const FREE_SLOT_SCRIPT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local keep = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
-- (slots are fractions of a millisecond, stored to 0.1 µs: a sum of them may round a hair over)
if tat - now > (burst - 1 - keep) * interval + 0.01 then return 0 end
redis.call('SET', KEYS[1], string.format('%.4f', tat + interval), 'PX', 60000)
return 1
`;

/**
 * Decides, send by send, which calls go past the free budget. Every sender process takes its
 * free slots from one bucket in Redis, so the free budget is shared by all of them; paid
 * messages are counted per UTC day against the Stars cap.
 */
/** How long a call waits in place for a free slot of Telegram's budget before re-queueing. */
const BUDGET_WAIT_IN_PLACE_MS = 10_000;

export function createPaidBroadcast(deps: PaidBroadcastDeps) {
  const now = deps.now ?? Date.now;
  const redis = deps.redis as RedisClient & {
    teteFreeSlot(
      key: string,
      now: number,
      interval: number,
      burst: number,
      keep: number,
    ): Promise<number>;
  };
  if (deps.paidPerSecond > 0) {
    redis.defineCommand('teteFreeSlot', { numberOfKeys: 1, lua: FREE_SLOT_SCRIPT });
  }
  const capMessages = Math.floor(deps.dailyStars / STARS_PER_PAID_MESSAGE + 1e-9);
  // A little under Telegram's free rate and burst: calls reach Telegram a few milliseconds
  // after they are decided, in a slightly different order, and an overrun costs a 429 that
  // holds up the whole queue.
  const interval = (1000 / deps.freePerSecond) * FREE_MARGIN;
  const burst = Math.max(1, deps.freePerSecond - 1);
  // Sends may be paid for, edits may not: sends leave a third of the free bucket to edits, or
  // with the sender far above the free rate every free slot would go to a send and the edits
  // (and each chat's messages queued after one) would wait indefinitely.
  const keepForEdits = Math.floor(burst / 3);

  /** Which budget one call of `method` goes on now (see BroadcastDecision). */
  async function decide(method: OutboundMethod): Promise<BroadcastDecision> {
    if (deps.paidPerSecond <= 0) return 'free';
    const at = now();
    const payable = PAYABLE.has(method);
    const keep = payable ? keepForEdits : 0;
    const free = await redis.teteFreeSlot(deps.keys.outboundFreeBudget, at, interval, burst, keep);
    if (free === 1) return 'free';
    if (!payable) return 'wait';
    const day = deps.keys.outboundPaidDay(new Date(at).toISOString().slice(0, 10));
    const [[, paid]] = (await redis
      .multi()
      .incr(day)
      .expire(day, 2 * 86_400)
      .exec()) as [[Error | null, number]];
    if (paid <= capMessages) return 'paid';
    await redis.decr(day);
    return 'wait';
  }

  return {
    enabled: deps.paidPerSecond > 0,
    /** The sender's overall rate: the free rate, plus the paid one when it is on. */
    ratePerSecond: deps.freePerSecond + deps.paidPerSecond,
    decide,

    /** How long a call that may not be paid for waits for the free budget: one free slot. */
    waitMs: () => Math.ceil(interval),

    /**
     * `decide`, waiting here (up to BUDGET_WAIT_IN_PLACE_MS) while the free budget is spent.
     * The sender's waiting holds its worker, so it takes in no more than it can send: once the
     * day's Stars were spent it kept pulling jobs at the free plus the paid rate and putting
     * most of them back, and those re-queues took the rate limiter's slots from the messages
     * that could go.
     */
    async decideInPlace(method: OutboundMethod): Promise<BroadcastDecision> {
      const until = Date.now() + BUDGET_WAIT_IN_PLACE_MS;
      for (;;) {
        const decision = await decide(method);
        if (decision !== 'wait' || Date.now() >= until) return decision;
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(interval)));
      }
    },
  };
}

export type PaidBroadcast = ReturnType<typeof createPaidBroadcast>;

/** Windows of the sender's rate limiter per second: the longest a job waits for one. */
const LIMITER_WINDOWS_PER_SECOND = 10;

/**
 * The sender's BullMQ rate limiter for `ratePerSecond`: the same rate in tenth-of-a-second
 * windows. BullMQ's limiter is a fixed window; with one of a whole second, a sender at its
 * limit spent the window's calls in its first moments and then stopped, so a proposal queued
 * just after waited up to a second however urgent its lane.
 */
export function senderLimiter(ratePerSecond: number): { max: number; duration: number } {
  const max = Math.max(1, Math.ceil(ratePerSecond / LIMITER_WINDOWS_PER_SECOND));
  // Rounded up: never faster than asked.
  return { max, duration: Math.ceil((1000 * max) / ratePerSecond) };
}

/**
 * Every Redis key, stream, consumer group and queue name the service uses. Nothing else
 * spells a key. A per-deployment prefix (REDIS_PREFIX, empty in production) keeps test runs
 * apart.
 *
 * On a Redis Cluster a key lives in the slot of its hash tag (the text inside its first
 * `{...}`, or the whole key without one), and a Lua script or MULTI may only touch keys of
 * one slot. So every key a script takes together carries the same tag, chosen per entity:
 * - `{match}`: match.find and match.dead, which the dead-letter script moves entries between;
 * - `{<queue>}`: each BullMQ queue's prefix, one tag per queue so the queues spread over the
 *   shards; the outbound pacing keys share `{outbound}` because the reservation script reads
 *   the queue's job hash in the same call;
 * - `{<matchId>}`: a proposal's record;
 * - keys used alone (the proposal index, update claims, rate limits) need no tag.
 * A test runs every script's key list through CLUSTER KEYSLOT, so a script that crosses
 * slots fails it.
 */
const MATCH_TAG = '{match}';
export const MATCH_FIND_STREAM = `${MATCH_TAG}.find`;
export const MATCH_DEAD_STREAM = `${MATCH_TAG}.dead`;
export const MATCHER_GROUP = 'matchers';

/** BullMQ queue names; BullMQ forbids ':' in them. */
export const QUEUE_NAMES = {
  proposalTimers: 'proposal-timers',
  chatTimers: 'chat-timers',
  outbound: 'outbound',
  /**
   * Messages held until they are due and still wanted (src/outbound/held-messages.ts), out of
   * the outbound queue, whose every job takes a slot of Telegram's budget.
   */
  heldMessages: 'outbound-held',
  /** Actions held until a person's waking hours (src/time/wake-hold.ts). */
  wakeHolds: 'wake-holds',
  pauseTimers: 'pause-timers',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export type RedisKeys = ReturnType<typeof createRedisKeys>;

export function createRedisKeys(prefix: string) {
  return {
    prefix,
    /**
     * A queue's BullMQ prefix, tagged with the queue's name (BullMQ appends `:<queue>:...`
     * itself): all of a queue's keys share a slot, as its scripts need, and each queue gets
     * its own slot.
     */
    queuePrefix: (queue: QueueName) => `${prefix}bull:{${queue}}`,
    matchFind: `${prefix}${MATCH_FIND_STREAM}`,
    matchDead: `${prefix}${MATCH_DEAD_STREAM}`,
    proposal: (matchId: number | string) => `${prefix}proposal:{${matchId}}`,
    proposalIndex: `${prefix}proposals:live`,
    telegramUpdate: (updateId: number) => `${prefix}tg:update:${updateId}`,
    rateLimit: (scope: string, id: number | string) => `${prefix}rl:${scope}:${id}`,
    /** What a user's next typed message answers (a time zone, a report reason). */
    conversation: (tgId: number) => `${prefix}conv:${tgId}`,
    /** Per-chat send pacing (GCRA) and ordering (sequence numbers) of the outbound queue. */
    /** Tagged like the outbound queue: the reservation script checks the job's hash with it. */
    chatSlot: (chatId: number | string) =>
      `${prefix}outbound:{${QUEUE_NAMES.outbound}}:chat:${chatId}`,
    /**
     * Telegram's free global rate as the sender spends it (GCRA), when paid broadcasts are on.
     * Its script takes it alone, so it needs no tag.
     */
    outboundFreeBudget: `${prefix}outbound:free`,
    /**
     * Held by the bot process running the outbound queue's aging round (lane-aging.ts) for one
     * round. Used alone, so it needs no tag.
     */
    outboundAging: `${prefix}outbound:aging`,
    /** Paid broadcast messages sent on one UTC day (YYYY-MM-DD), for the daily Stars cap. */
    outboundPaidDay: (day: string) => `${prefix}outbound:paid:${day}`,
    /** Hash of a chat's relayed copies: copy message id -> "<origin chat>:<origin message id>". */
    relayOrigin: (chatId: number | string) => `${prefix}relay:origin:${chatId}`,
    /**
     * Present while Redis keeps its data; its absence tells the sweep that Redis lost it. One
     * key with no tag: on a cluster it tells only of its own shard's loss; writes lost on another
     * shard (a failover to a replica that missed them) are left to the reconciler, which rebuilds
     * open proposals, and the search sweeper, which re-queues searches stuck past their limit.
     */
    lossMarker: `${prefix}repair:marker`,
  };
}

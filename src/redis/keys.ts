/**
 * Every Redis key, stream, consumer group and queue name the service uses. Nothing else
 * spells a key. A per-deployment prefix (REDIS_PREFIX, empty in production) keeps test runs
 * apart; per-proposal keys carry a hash tag so a proposal's keys share a Redis Cluster slot.
 */
export const MATCH_FIND_STREAM = 'match.find';
export const MATCH_DEAD_STREAM = 'match.dead';
export const MATCHER_GROUP = 'matchers';

/** BullMQ queue names; BullMQ forbids ':' in them. */
export const QUEUE_NAMES = {
  proposalTimers: 'proposal-timers',
  chatTimers: 'chat-timers',
  outbound: 'outbound',
} as const;

export type RedisKeys = ReturnType<typeof createRedisKeys>;

export function createRedisKeys(prefix: string) {
  return {
    prefix,
    /** BullMQ's own prefix; it appends `:<queue>:...` itself. */
    bullPrefix: `${prefix}bull`,
    matchFind: `${prefix}${MATCH_FIND_STREAM}`,
    matchDead: `${prefix}${MATCH_DEAD_STREAM}`,
    proposal: (matchId: number | string) => `${prefix}proposal:{${matchId}}`,
    proposalIndex: `${prefix}proposals:live`,
    telegramUpdate: (updateId: number) => `${prefix}tg:update:${updateId}`,
    rateLimit: (scope: string, id: number | string) => `${prefix}rl:${scope}:${id}`,
    /** What a user's next typed message answers (a time zone, a report reason). */
    conversation: (tgId: number) => `${prefix}conv:${tgId}`,
    /** Per-chat send pacing (GCRA) and ordering (sequence numbers) of the outbound queue. */
    chatSlot: (chatId: number | string) => `${prefix}outbound:chat:${chatId}`,
    /** Telegram's free global rate as the sender spends it (GCRA), when paid broadcasts are on. */
    outboundFreeBudget: `${prefix}outbound:free`,
    /** Paid broadcast messages sent on one UTC day (YYYY-MM-DD), for the daily Stars cap. */
    outboundPaidDay: (day: string) => `${prefix}outbound:paid:${day}`,
    /** Hash of a chat's relayed copies: copy message id -> "<origin chat>:<origin message id>". */
    relayOrigin: (chatId: number | string) => `${prefix}relay:origin:${chatId}`,
  };
}

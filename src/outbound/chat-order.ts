import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';
import type { OutboundMessage } from './outbound-message.js';

// Records that message `seq` of a chat's lane ARGV[2] is finished (sent, or given up),
// never moving back.
const DONE_SCRIPT = `
local field = 'done:' .. ARGV[2]
local done = tonumber(redis.call('HGET', KEYS[1], field) or '0')
if tonumber(ARGV[1]) > done then redis.call('HSET', KEYS[1], field, ARGV[1]) end
return 1
`;

const laneOf = (message: OutboundMessage) => message.lane ?? 'notice';

export interface ChatOrderDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /**
   * How long a message waits for an earlier one to the same chat before it goes anyway: an
   * earlier message stuck in retries must not hold a conversation up for minutes.
   */
  maxWaitMs: number;
}

/**
 * Keeps each chat's messages of one lane in the order they were queued. The queue numbers
 * them per chat and lane, and several workers send in parallel, so a message goes only once
 * its predecessor in the lane is done. Lanes do not wait for each other (see OutboundLane).
 */
export function createChatOrder(deps: ChatOrderDeps) {
  const redis = deps.redis as RedisClient & {
    teteChatDone(key: string, seq: number, lane: string): Promise<number>;
  };
  redis.defineCommand('teteChatDone', { numberOfKeys: 1, lua: DONE_SCRIPT });
  return {
    /** True when `message` may be sent now; `dueAt` is when it was meant to go (epoch ms). */
    async isTurn(message: OutboundMessage, dueAt: number, now = Date.now()): Promise<boolean> {
      if (message.seq === undefined || message.seq <= 1) return true;
      const done = Number(
        (await redis.hget(deps.keys.chatSlot(message.chatId), `done:${laneOf(message)}`)) ?? 0,
      );
      return message.seq <= done + 1 || now - dueAt > deps.maxWaitMs;
    },
    /**
     * Like `isTurn`, but first waits here up to `withinMs` for the previous message: within a
     * chat's burst both are due at once, and the first is usually being sent right now. Waiting
     * in place is cheaper than putting the job back in the queue (see the sender).
     */
    async awaitTurn(message: OutboundMessage, dueAt: number, withinMs: number): Promise<boolean> {
      const until = Date.now() + withinMs;
      for (;;) {
        if (await this.isTurn(message, dueAt)) return true;
        if (Date.now() >= until) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async markDone(message: OutboundMessage): Promise<void> {
      if (message.seq === undefined) return;
      await redis.teteChatDone(deps.keys.chatSlot(message.chatId), message.seq, laneOf(message));
    },
  };
}

export type ChatOrder = ReturnType<typeof createChatOrder>;

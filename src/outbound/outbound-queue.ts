import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.js';
import { assertValidKey, type OutboundMessage } from './outbound-message.js';

// Reserves the next send slot of a chat: at least `gap` ms after the previous one. Slots
// are handed out in enqueue order, so messages to one chat keep their order.
const SLOT_SCRIPT = `
local now = tonumber(ARGV[1])
local gap = tonumber(ARGV[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, last + gap)
redis.call('SET', KEYS[1], slot, 'PX', slot - now + gap + 1000)
return slot
`;

export interface OutboundQueueDeps {
  queue: Queue<OutboundMessage>;
  redis: Redis;
  keys: RedisKeys;
  /** Minimum gap between two messages to the same chat. */
  chatIntervalMs: number;
  now?: () => number;
}

export interface Outbound {
  /** Queues a message; a second call with the same key is a no-op. */
  enqueue(message: OutboundMessage): Promise<void>;
}

export function createOutbound(deps: OutboundQueueDeps): Outbound {
  const redis = deps.redis as Redis & {
    teteChatSlot(key: string, now: number, gap: number): Promise<number>;
  };
  redis.defineCommand('teteChatSlot', { numberOfKeys: 1, lua: SLOT_SCRIPT });
  const now = deps.now ?? Date.now;
  return {
    async enqueue(message) {
      assertValidKey(message.key);
      const at = now();
      const slot =
        deps.chatIntervalMs > 0
          ? Number(
              await redis.teteChatSlot(deps.keys.chatSlot(message.chatId), at, deps.chatIntervalMs),
            )
          : at;
      await deps.queue.add(message.method, message, {
        jobId: message.key,
        delay: Math.max(0, slot - at),
        attempts: 8,
        backoff: { type: 'exponential', delay: 1_000 },
        // Kept a day so a replayed effect with the same key stays a no-op.
        removeOnComplete: message.ephemeral ? true : { age: 86_400, count: 100_000 },
        removeOnFail: message.ephemeral ? true : { age: 7 * 86_400 },
      });
    },
  };
}

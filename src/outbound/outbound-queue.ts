import type { Queue } from 'bullmq';
import type { RedisClient } from '../redis/client.js';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { RedisKeys } from '../redis/keys.js';
import type { ErasedUser, UserDataOwner } from '../erasure/user-data.js';
import {
  assertValidKey,
  LANE_PRIORITY,
  type OutboundLane,
  type OutboundMessage,
} from './outbound-message.js';
import type { HeldMessages } from './held-messages.js';

// Paces a chat with GCRA: on average one message per `interval`, with bursts of up to
// `burst` messages at once (Telegram tolerates short bursts in a private chat). Also hands
// out the next sequence number of the chat's lane ARGV[4], which the sender uses to keep
// the lane's order. KEYS[2] is the BullMQ job's hash: a key already queued (a replayed
// effect) gets nothing, so no sequence number is taken that no job would hold. A hash
// without data is no job but the husk of one a worker held while Redis lost its keys: it
// goes, or the key stays blocked.
const RESERVE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('HEXISTS', KEYS[2], 'data') == 1 then return false end
  redis.call('DEL', KEYS[2])
end
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local margin = tonumber(ARGV[5])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
local slot = math.max(now, tat - (burst - 1) * interval + margin)
redis.call('HSET', KEYS[1], 'tat', tat + interval)
local seq = redis.call('HINCRBY', KEYS[1], 'seq:' .. ARGV[4], 1)
redis.call('PEXPIRE', KEYS[1], 86400000)
return {slot, seq}
`;

export interface OutboundQueueDeps {
  queue: Queue<OutboundMessage>;
  /** Where a message waits until its `notBefore` (see held-messages.ts). */
  held: HeldMessages;
  db: DatabasePool;
  redis: RedisClient;
  keys: RedisKeys;
  /** Average gap between two messages to the same chat. */
  chatIntervalMs: number;
  /** Messages one chat may receive at once before the gap applies. */
  chatBurst: number;
  /**
   * How far a search message that takes Telegram's extra message of burst keeps from that
   * limit. Two of them in a row (a proposal, then the chat's opening) would otherwise be due
   * exactly when Telegram's bucket refills, and any jitter in sending would meet a 429.
   */
  searchMarginMs: number;
  now?: () => number;
}

export interface Outbound extends Required<UserDataOwner> {
  /**
   * Queues a message; a second call with the same key is a no-op. `unlessDelivered`: not even
   * queued when PostgreSQL records the key as delivered (a repair, where most were).
   */
  enqueue(message: OutboundMessage, options?: { unlessDelivered?: boolean }): Promise<void>;
}

/** Every job state that still holds a message: finished jobs keep the chat and the text a while. */
const JOB_STATES = ['waiting', 'delayed', 'prioritized', 'paused', 'completed', 'failed'] as const;

export function createOutbound(deps: OutboundQueueDeps): Outbound {
  const redis = deps.redis as RedisClient & {
    teteChatReserve(
      key: string,
      jobKey: string,
      now: number,
      interval: number,
      burst: number,
      lane: OutboundLane,
      margin: number,
    ): Promise<[number, number] | null>;
  };
  redis.defineCommand('teteChatReserve', { numberOfKeys: 2, lua: RESERVE_SCRIPT });
  const now = deps.now ?? Date.now;
  const isDelivered = async (key: string) =>
    (await deps.db.maybeOneFirst(sql.type(z.object({ key: z.string() }))`
      SELECT key FROM delivered_messages WHERE key = ${key}`)) !== null;
  return {
    async enqueue(message, options = {}) {
      assertValidKey(message.key);
      if (options.unlessDelivered && (await isDelivered(message.key))) return;
      const at = now();
      // A skipped card's edit is always held, even when due: only its release settles it.
      if (
        message.notBefore !== undefined &&
        (message.notBefore > at || message.skipNoticeOf !== undefined)
      ) {
        return deps.held.hold({ ...message, notBefore: message.notBefore });
      }
      const lane = message.lane ?? 'notice';
      // A search message may also use the one message of burst Telegram tolerates beyond
      // ours, so it is not scheduled behind the notices already waiting in its chat.
      const extra = lane === 'search';
      const reserved = await redis.teteChatReserve(
        deps.keys.chatSlot(message.chatId),
        deps.queue.toKey(message.key),
        at,
        deps.chatIntervalMs,
        Math.max(1, deps.chatBurst) + (extra ? 1 : 0),
        lane,
        extra ? Math.min(deps.searchMarginMs, deps.chatIntervalMs) : 0,
      );
      if (!reserved) return; // already queued or recently sent under this key
      const [slot, seq] = reserved;
      await deps.queue.add(
        message.method,
        { ...message, lane, seq: Number(seq) },
        {
          jobId: message.key,
          priority: LANE_PRIORITY[lane],
          delay: Math.max(0, Number(slot) - at),
          attempts: 8,
          backoff: { type: 'exponential', delay: 1_000 },
          // Kept a day so a replayed effect with the same key stays a no-op.
          removeOnComplete: message.ephemeral ? true : { age: 86_400, count: 100_000 },
          removeOnFail: message.ephemeral ? true : { age: 7 * 86_400 },
        },
      );
    },

    /** The record of what was delivered to the erased user's chat goes. */
    async forgetUserRows(tx, user: ErasedUser) {
      if (user.tgId === null) return;
      await tx.query(sql.unsafe`DELETE FROM delivered_messages WHERE chat_id = ${user.tgId}`);
    },

    /** Their queued, held and finished jobs go, with the chat's pacing and relay bookkeeping. */
    async forgetUser(user: ErasedUser) {
      if (user.tgId === null) return;
      await deps.held.forgetChat(user.tgId);
      const jobs = await deps.queue.getJobs([...JOB_STATES]);
      for (const job of jobs) {
        if (job?.data.chatId === user.tgId) await job.remove().catch(() => undefined);
      }
      // Two slots on a cluster (the pacing key is tagged like the queue): two commands.
      await redis.unlink(deps.keys.chatSlot(user.tgId));
      await redis.unlink(deps.keys.relayOrigin(user.tgId));
    },
  };
}

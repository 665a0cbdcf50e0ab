import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';
import { MATCHER_GROUP } from '../redis/keys.js';

// Moves an entry to the dead-letter stream and acknowledges it, atomically, and only if it
// is still pending: two janitors racing cannot dead-letter it twice.
const DEAD_LETTER_SCRIPT = `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then return 0 end
local fields = {'orig_id', ARGV[2], 'reason', ARGV[3], 'deliveries', ARGV[4]}
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if entry[1] then
  for _, value in ipairs(entry[1][2]) do table.insert(fields, value) end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '100000', '*', unpack(fields))
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
`;

type AdminRedis = RedisClient & {
  teteDeadLetter(stream: string, dead: string, ...args: string[]): Promise<number>;
};

export type StreamFields = Record<string, string>;
export interface StreamEntry {
  id: string;
  fields: StreamFields;
}

export function toFields(flat: readonly string[]): StreamFields {
  const fields: StreamFields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/** Epoch ms encoded in a stream id (`<ms>-<seq>`). */
export const idTime = (id: string) => Number(id.split('-')[0]);

export interface StreamPosition {
  pending: number;
  /** Entries not yet delivered to any consumer. */
  lag: number;
  lastDelivered: string;
  oldestPending: string | null;
  firstUndelivered: string | null;
}

function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) result[String(flat[i])] = flat[i + 1];
  return result;
}

/** Where the matchers group stands in match.find; null when the stream or group is missing. */
export async function readStreamPosition(
  redis: RedisClient,
  keys: RedisKeys,
): Promise<StreamPosition | null> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', keys.matchFind)) as unknown[][];
  } catch (error) {
    if (/no such key/i.test(String((error as Error).message))) return null;
    throw error;
  }
  const group = groups.map(pairs).find((info) => info.name === MATCHER_GROUP);
  if (!group) return null;
  const lastDeliveredRaw = group['last-delivered-id'];
  const lastDelivered = typeof lastDeliveredRaw === 'string' ? lastDeliveredRaw : '0-0';
  const [summary, next] = (await Promise.all([
    redis.xpending(keys.matchFind, MATCHER_GROUP),
    redis.xrange(keys.matchFind, `(${lastDelivered}`, '+', 'COUNT', 1),
  ])) as [[number, string | null], [string, string[]][]];
  return {
    pending: Number(group.pending ?? 0),
    lag: Number(group.lag ?? 0),
    lastDelivered,
    oldestPending: summary[1] ?? null,
    firstUndelivered: next[0]?.[0] ?? null,
  };
}

/** match_queue_size and match_worker_lag_ms, read from Redis. */
export async function measureQueue(
  redis: RedisClient,
  keys: RedisKeys,
  now = Date.now(),
): Promise<{ size: number; lagMs: number }> {
  const position = await readStreamPosition(redis, keys);
  if (!position) return { size: 0, lagMs: 0 };
  const oldest = [position.oldestPending, position.firstUndelivered]
    .filter((id): id is string => id !== null)
    .map(idTime);
  return {
    size: position.pending + position.lag,
    lagMs: oldest.length ? Math.max(0, now - Math.min(...oldest)) : 0,
  };
}

/** Commands on match.find and match.dead that the worker and its janitor share. */
export function createStreamAdmin(redis: RedisClient, keys: RedisKeys) {
  const admin = redis as AdminRedis;
  admin.defineCommand('teteDeadLetter', { numberOfKeys: 2, lua: DEAD_LETTER_SCRIPT });
  return {
    /** Creates the group (reading from the start, so nothing added earlier is missed). */
    async ensureGroup(): Promise<void> {
      try {
        await redis.xgroup('CREATE', keys.matchFind, MATCHER_GROUP, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    },
    async ack(ids: readonly string[]): Promise<void> {
      if (ids.length) await redis.xack(keys.matchFind, MATCHER_GROUP, ...ids);
    },
    async deadLetter(id: string, reason: string, deliveries: number): Promise<boolean> {
      const acked = await admin.teteDeadLetter(
        keys.matchFind,
        keys.matchDead,
        MATCHER_GROUP,
        id,
        reason,
        String(deliveries),
      );
      return acked === 1;
    },
  };
}

export type StreamAdmin = ReturnType<typeof createStreamAdmin>;

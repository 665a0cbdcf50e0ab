import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.js';

/** A pending effect as stored in the record: its id orders it (rev, then position). */
export interface StoredEffect {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

/** The Redis record of one proposal actor. */
export interface ProposalRecord {
  machineVersion: number;
  rev: number;
  snapshot: unknown;
  pendingEffects: StoredEffect[];
}

export type SaveResult = 'saved' | 'conflict' | 'missing';

const FIXED_FIELDS = 3; // v, rev, snap; every other field is a pending effect "fx:<id>"

// Compare-and-set on rev. ARGV: expectedRev ('' = must not exist), newRev, version,
// snapshot, ttlSeconds, then field/value pairs of new pending effects.
const SAVE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'rev')
if ARGV[1] == '' then
  if current then return 0 end
elseif not current then
  return -1
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'v', ARGV[3], 'snap', ARGV[4], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`;

// Drops finished effects; returns how many are still pending.
const COMPLETE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], unpack(ARGV))
return redis.call('HLEN', KEYS[1]) - ${FIXED_FIELDS}
`;

// Unregisters a proposal from the pending-effects index only if nobody re-registered it
// since (a newer registration has a different score).
const UNINDEX_SCRIPT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
`;

type ScriptedRedis = Redis & {
  teteProposalSave(key: string, ...args: (string | number)[]): Promise<number>;
  teteProposalComplete(key: string, ...ids: string[]): Promise<number>;
  teteProposalUnindex(key: string, member: string, score: string): Promise<number>;
};

/** `000012.03`: sorts as text in the order the effects were named. */
export function effectId(rev: number, index: number): string {
  return `${String(rev).padStart(6, '0')}.${String(index).padStart(2, '0')}`;
}

export interface ProposalStore {
  load(matchId: number): Promise<ProposalRecord | null>;
  /**
   * Writes `snapshot` as revision `expectedRev + 1` (or 1 when `expectedRev` is null, which
   * requires that no record exists) together with its new pending effects, atomically.
   */
  save(
    matchId: number,
    expectedRev: number | null,
    machineVersion: number,
    snapshot: unknown,
    effects: readonly StoredEffect[],
    ttlSeconds: number,
  ): Promise<SaveResult>;
  /** Marks effects done; resolves with the number still pending. */
  complete(matchId: number, ids: readonly string[]): Promise<number>;
  /** Registers a proposal as having pending effects; returns the registration token. */
  index(matchId: number): Promise<string>;
  unindex(matchId: number, token: string): Promise<void>;
  /** Proposals registered before `olderThanMs` (epoch ms), oldest first. */
  indexed(olderThanMs: number, limit: number): Promise<{ matchId: number; token: string }[]>;
  remove(matchId: number): Promise<void>;
}

export function createProposalStore(deps: { redis: Redis; keys: RedisKeys }): ProposalStore {
  const redis = deps.redis as ScriptedRedis;
  redis.defineCommand('teteProposalSave', { numberOfKeys: 1, lua: SAVE_SCRIPT });
  redis.defineCommand('teteProposalComplete', { numberOfKeys: 1, lua: COMPLETE_SCRIPT });
  redis.defineCommand('teteProposalUnindex', { numberOfKeys: 1, lua: UNINDEX_SCRIPT });
  const { keys } = deps;

  return {
    async load(matchId) {
      const hash = await redis.hgetall(keys.proposal(matchId));
      if (!hash.rev || !hash.snap) return null;
      const pendingEffects: StoredEffect[] = [];
      for (const [field, value] of Object.entries(hash)) {
        if (!field.startsWith('fx:')) continue;
        const parsed = JSON.parse(value) as Omit<StoredEffect, 'id'>;
        pendingEffects.push({ id: field.slice(3), ...parsed });
      }
      pendingEffects.sort((a, b) => (a.id < b.id ? -1 : 1));
      return {
        machineVersion: Number(hash.v),
        rev: Number(hash.rev),
        snapshot: JSON.parse(hash.snap) as unknown,
        pendingEffects,
      };
    },

    async save(matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds) {
      const fields = effects.flatMap((effect) => [
        `fx:${effect.id}`,
        JSON.stringify({ type: effect.type, params: effect.params }),
      ]);
      const result = await redis.teteProposalSave(
        keys.proposal(matchId),
        expectedRev === null ? '' : String(expectedRev),
        String((expectedRev ?? 0) + 1),
        String(machineVersion),
        JSON.stringify(snapshot),
        Math.max(1, Math.ceil(ttlSeconds)),
        ...fields,
      );
      return result === 1 ? 'saved' : result === 0 ? 'conflict' : 'missing';
    },

    async complete(matchId, ids) {
      if (!ids.length) return 0;
      return redis.teteProposalComplete(keys.proposal(matchId), ...ids.map((id) => `fx:${id}`));
    },

    async index(matchId) {
      // Integer scores print identically in ZSCORE, which the unindex script compares.
      const token = String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
      await redis.zadd(keys.proposalIndex, token, String(matchId));
      return token;
    },

    async unindex(matchId, token) {
      await redis.teteProposalUnindex(keys.proposalIndex, String(matchId), token);
    },

    async indexed(olderThanMs, limit) {
      const flat = await redis.zrangebyscore(
        keys.proposalIndex,
        '-inf',
        String(olderThanMs * 1000),
        'WITHSCORES',
        'LIMIT',
        0,
        limit,
      );
      const result: { matchId: number; token: string }[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        result.push({ matchId: Number(flat[i]), token: flat[i + 1] ?? '' });
      }
      return result;
    },

    async remove(matchId) {
      await redis.unlink(keys.proposal(matchId));
    },
  };
}

import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';

/** A pending effect as stored in the record: its id orders it (rev, then position). */
export interface StoredEffect {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

/**
 * The Redis record of one proposal actor. `load` never throws for a damaged record: an
 * unreadable version or rev reads as NaN/0 and an unreadable snapshot as undefined, so the
 * runtime can end it cleanly instead of failing every event for this proposal.
 */
export interface ProposalRecord {
  machineVersion: number;
  rev: number;
  snapshot: unknown;
  pendingEffects: StoredEffect[];
}

/** The type given to a pending effect whose stored JSON cannot be read; nothing runs it. */
export const UNREADABLE_EFFECT = 'unreadable';

export type SaveResult = 'saved' | 'conflict' | 'missing';

import {
  COMPLETE_AND_UNINDEX_SCRIPT,
  COMPLETE_SCRIPT,
  REMOVE_SCRIPT,
  SAVE_SCRIPT,
  UNINDEX_SCRIPT,
} from './proposal-scripts.js';

type ScriptedRedis = RedisClient & {
  teteProposalSave(key: string, ...args: (string | number)[]): Promise<number>;
  teteProposalComplete(key: string, ...ids: string[]): Promise<number>;
  teteProposalUnindex(key: string, member: string, score: string): Promise<number>;
  teteProposalRemove(key: string, rev: number): Promise<number>;
  teteProposalCompleteAndUnindex(
    key: string,
    indexKey: string,
    member: string,
    token: string,
    ...ids: string[]
  ): Promise<number>;
};

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readEffect(id: string, text: string): StoredEffect {
  const parsed = parseJson(text) as { type?: unknown; params?: unknown } | undefined;
  const params = parsed?.params;
  if (typeof parsed?.type !== 'string' || typeof params !== 'object' || params === null) {
    return { id, type: UNREADABLE_EFFECT, params: {} };
  }
  return { id, type: parsed.type, params: params as Record<string, unknown> };
}

const revOf = (text: string | undefined) => (text && /^\d+$/.test(text) ? Number(text) : 0);

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
  /**
   * `complete`, then, when nothing is left pending and a registration token is given,
   * `unindex`: one round trip on a single Redis. Resolves with the number still pending.
   */
  completeAndUnindex(
    matchId: number,
    ids: readonly string[],
    token: string | undefined,
  ): Promise<number>;
  /** Registers a proposal as having pending effects; returns the registration token. */
  index(matchId: number): Promise<string>;
  /** `index` then `save`, in one round trip; the token is the index registration's. */
  indexAndSave(
    ...args: Parameters<ProposalStore['save']>
  ): Promise<{ result: SaveResult; token: string }>;
  unindex(matchId: number, token: string): Promise<void>;
  /** Proposals registered before `olderThanMs` (epoch ms), oldest first. */
  indexed(olderThanMs: number, limit: number): Promise<{ matchId: number; token: string }[]>;
  /**
   * Deletes the record; with `expectedRev`, only while it is still at that revision.
   * Resolves true when something was deleted.
   */
  remove(matchId: number, expectedRev?: number): Promise<boolean>;
}

// Integer scores print identically in ZSCORE, which the unindex script compares.
/**
 * Index scores in microseconds, random below the millisecond so two processes rarely tie,
 * and rising within one store: a proposal moved "to the back of the line" within the same
 * millisecond as another was indexed must still land behind it. The random part stays in the
 * lower half, so rising by one never carries a score into the next millisecond's range, where
 * a sweep of this millisecond would not see it.
 */
function createTokens(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now() * 1000 + Math.floor(Math.random() * 500), last + 1);
    return String(last);
  };
}

const saveResult = (reply: number): SaveResult =>
  reply === 1 ? 'saved' : reply === 0 ? 'conflict' : 'missing';

export function createProposalStore(deps: { redis: RedisClient; keys: RedisKeys }): ProposalStore {
  const redis = deps.redis as ScriptedRedis;
  const newToken = createTokens();
  const saveArgs = (
    ...[matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds]: Parameters<
      ProposalStore['save']
    >
  ): [string, ...(string | number)[]] => [
    deps.keys.proposal(matchId),
    expectedRev === null ? '' : String(expectedRev),
    String((expectedRev ?? 0) + 1),
    String(machineVersion),
    JSON.stringify(snapshot),
    Math.max(1, Math.ceil(ttlSeconds)),
    ...effects.flatMap((effect) => [
      `fx:${effect.id}`,
      JSON.stringify({ type: effect.type, params: effect.params }),
    ]),
  ];
  redis.defineCommand('teteProposalSave', { numberOfKeys: 1, lua: SAVE_SCRIPT });
  redis.defineCommand('teteProposalComplete', { numberOfKeys: 1, lua: COMPLETE_SCRIPT });
  redis.defineCommand('teteProposalUnindex', { numberOfKeys: 1, lua: UNINDEX_SCRIPT });
  redis.defineCommand('teteProposalRemove', { numberOfKeys: 1, lua: REMOVE_SCRIPT });
  redis.defineCommand('teteProposalCompleteAndUnindex', {
    numberOfKeys: 2,
    lua: COMPLETE_AND_UNINDEX_SCRIPT,
  });
  const { keys } = deps;

  return {
    async load(matchId) {
      const hash = await redis.hgetall(keys.proposal(matchId));
      if (Object.keys(hash).length === 0) return null;
      const pendingEffects = Object.entries(hash)
        .filter(([field]) => field.startsWith('fx:'))
        .map(([field, value]) => readEffect(field.slice(3), value))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return {
        machineVersion: hash.v && /^\d+$/.test(hash.v) ? Number(hash.v) : Number.NaN,
        rev: revOf(hash.rev),
        snapshot: parseJson(hash.snap),
        pendingEffects,
      };
    },

    async save(matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds) {
      const args = saveArgs(matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds);
      return saveResult(await redis.teteProposalSave(...args));
    },

    async indexAndSave(matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds) {
      const token = newToken();
      const args = saveArgs(matchId, expectedRev, machineVersion, snapshot, effects, ttlSeconds);
      if (redis.isCluster) {
        // The index and the record lie in different slots, which one pipeline cannot span
        // on a cluster: two round trips, in the same order.
        await redis.zadd(keys.proposalIndex, token, String(matchId));
        return { result: saveResult(await redis.teteProposalSave(...args)), token };
      }
      // One round trip, in this order: registered before saved, as index() then save() would.
      const pipeline = redis.pipeline() as ReturnType<RedisClient['pipeline']> & {
        teteProposalSave(key: string, ...rest: (string | number)[]): unknown;
      };
      pipeline.zadd(keys.proposalIndex, token, String(matchId));
      pipeline.teteProposalSave(...args);
      const replies = (await pipeline.exec()) ?? [];
      const [indexError] = replies[0] ?? [];
      const [saveError, saved] = replies[1] ?? [];
      if (indexError ?? saveError) throw (indexError ?? saveError)!;
      return { result: saveResult(saved as number), token };
    },

    async complete(matchId, ids) {
      // Called with no ids too (the first effect failed): the answer must still be the real
      // number pending, or the caller would unindex a proposal whose effects never ran.
      return redis.teteProposalComplete(keys.proposal(matchId), ...ids.map((id) => `fx:${id}`));
    },

    async completeAndUnindex(matchId, ids, token) {
      const fields = ids.map((id) => `fx:${id}`);
      if (redis.isCluster) {
        // The record and the index lie in different slots: two round trips on a cluster.
        const left = await redis.teteProposalComplete(keys.proposal(matchId), ...fields);
        if (left <= 0 && token) {
          await redis.teteProposalUnindex(keys.proposalIndex, String(matchId), token);
        }
        return left;
      }
      return redis.teteProposalCompleteAndUnindex(
        keys.proposal(matchId),
        keys.proposalIndex,
        String(matchId),
        token ?? '',
        ...fields,
      );
    },

    async index(matchId) {
      const token = newToken();
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
        // A score is its millisecond times 1000 plus up to 999 below it: everything indexed
        // during `olderThanMs` itself is due too, or a sweep with no grace could miss an entry
        // made in the same millisecond.
        String(olderThanMs * 1000 + 999),
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

    async remove(matchId, expectedRev) {
      const key = keys.proposal(matchId);
      if (expectedRev === undefined) return (await redis.unlink(key)) > 0;
      return (await redis.teteProposalRemove(key, expectedRev)) > 0;
    },
  };
}

import type { RedisClient } from '../../src/redis/client.js';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { ProposalEffect, ProposalInput } from '../../machines/proposal.machine.js';
import type { App } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createProposalRuntimeOf } from '../../src/core.js';
import type { EffectExecutor, ProposalRuntime } from '../../src/proposals/proposal-runtime.js';
import {
  createProposalStore,
  type ProposalStore,
  type StoredEffect,
} from '../../src/proposals/proposal-store.js';
import type { RedisKeys } from '../../src/redis/keys.js';
import { testRedis } from '../helpers/services.js';

/** Shared by the proposal integration tests: bulk rows, extra runtimes, effect counting. */

let nextTelegramId = 8_000_000_000;

export interface ProposalRow {
  matchId: number;
  userA: number;
  userB: number;
  input: ProposalInput;
}

/** `count` users ready to search (rules accepted, the given topics), created in bulk SQL. */
export async function createUsers(
  db: CommonQueryMethods,
  count: number,
  topics: readonly number[] = [1, 2],
): Promise<number[]> {
  const first = nextTelegramId + 1;
  nextTelegramId += count;
  const ids = await db.anyFirst(sql.type(z.object({ id: z.number() }))`
    INSERT INTO users (tg_id, first_name, rules_accepted_at)
    SELECT g, 'Tester', now() FROM generate_series(${first}::bigint, ${first + count - 1}::bigint) g
    RETURNING id`);
  await db.query(sql.unsafe`
    INSERT INTO user_topics (user_id, topic_id)
    SELECT u, t FROM unnest(${sql.array(ids, 'int8')}) u, unnest(${sql.array(topics, 'int4')}) t`);
  return [...ids].sort((a, b) => a - b);
}

const pairRow = z.object({ id: z.number(), user_a: z.number(), user_b: z.number() });

/**
 * `count` open proposals created in bulk SQL, exactly as a claim leaves them: two eligible
 * users (topics 1 and 2) per match, both searches `proposed` and held by the match, both users
 * engaged. Nothing is in Redis yet: the caller spawns the actors.
 */
export async function createProposalRows(
  db: CommonQueryMethods,
  count: number,
  options: { ttlMs?: number; maxRequeues?: number } = {},
): Promise<ProposalRow[]> {
  const first = nextTelegramId + 1;
  nextTelegramId += 2 * count;
  const expiresAt = new Date(Date.now() + (options.ttlMs ?? 3_600_000));
  return db.transaction(async (tx) => {
    const ids = await tx.anyFirst(sql.type(z.object({ id: z.number() }))`
      INSERT INTO users (tg_id, first_name, rules_accepted_at)
      SELECT g, 'Tester', now() FROM generate_series(${first}::bigint, ${first + 2 * count - 1}::bigint) g
      RETURNING id`);
    const sorted = [...ids].sort((a, b) => a - b);
    await tx.query(sql.unsafe`
      INSERT INTO user_topics (user_id, topic_id)
      SELECT u, t FROM unnest(${sql.array(sorted, 'int8')}) u, unnest(ARRAY[1, 2]) t`);
    const as = sorted.filter((_, index) => index % 2 === 0);
    const bs = sorted.filter((_, index) => index % 2 === 1);
    const pairs = await tx.any(sql.type(pairRow)`
      INSERT INTO matches (user_a, user_b, score, shared_count, shared_topic_ids, expires_at)
      SELECT a, b, 0.5, 2, ARRAY[1, 2], ${sql.timestamp(expiresAt)}
      FROM unnest(${sql.array(as, 'int8')}, ${sql.array(bs, 'int8')}) AS p(a, b)
      RETURNING id, user_a, user_b`);
    await tx.query(sql.unsafe`
      INSERT INTO searches (id, user_id, state, match_id, first_proposed_at)
      SELECT gen_random_uuid(), u, 'proposed', m.id, now()
      FROM matches m, LATERAL (VALUES (m.user_a), (m.user_b)) AS side(u)
      WHERE m.id = ANY(${sql.array(
        pairs.map((pair) => pair.id),
        'int8',
      )})`);
    await tx.query(sql.unsafe`
      UPDATE matches m SET
        search_a = (SELECT id FROM searches WHERE match_id = m.id AND user_id = m.user_a),
        search_b = (SELECT id FROM searches WHERE match_id = m.id AND user_id = m.user_b)
      WHERE m.id = ANY(${sql.array(
        pairs.map((pair) => pair.id),
        'int8',
      )})`);
    await tx.query(sql.unsafe`
      INSERT INTO engagements (user_id, match_id, kind)
      SELECT side.u, m.id, 'proposal'
      FROM matches m, LATERAL (VALUES (m.user_a), (m.user_b)) AS side(u)
      WHERE m.id = ANY(${sql.array(
        pairs.map((pair) => pair.id),
        'int8',
      )})`);
    return pairs
      .map((pair) => ({
        matchId: pair.id,
        userA: pair.user_a,
        userB: pair.user_b,
        input: {
          matchId: pair.id,
          userA: pair.user_a,
          userB: pair.user_b,
          requeuesA: 0,
          requeuesB: 0,
          maxRequeues: options.maxRequeues ?? 2,
          expiresAt: expiresAt.getTime(),
        },
      }))
      .sort((a, b) => a.matchId - b.matchId);
  });
}

/** The identity of one effect execution: match, name and params. */
export const effectKey = (matchId: number, effect: { type: string; params: unknown }) =>
  `${matchId}|${effect.type}|${JSON.stringify(effect.params)}`;

/** Wraps the real executor: every call still runs it, and is counted by effect key. */
export function countingExecutor(execute: EffectExecutor) {
  const counts = new Map<string, number>();
  const byMatch = new Map<number, string[]>();
  const wrapped: EffectExecutor = async (matchId: number, effect: ProposalEffect) => {
    const key = effectKey(matchId, effect);
    const seen = counts.get(key) ?? 0;
    counts.set(key, seen + 1);
    if (!seen) byMatch.set(matchId, [...(byMatch.get(matchId) ?? []), key]);
    await execute(matchId, effect);
  };
  return {
    execute: wrapped,
    counts,
    /** Keys executed more than once. */
    duplicates: () => [...counts].filter(([, n]) => n > 1).map(([key]) => key),
    /** Distinct effect keys executed for one match, sorted. */
    executed: (matchId: number) => [...(byMatch.get(matchId) ?? [])].sort(),
  };
}

export interface SavedRevision {
  matchId: number;
  rev: number;
  snapshot: { value: string; context: Record<string, unknown> };
  effects: readonly StoredEffect[];
}

/** Records every successful save, to check revisions and the effects each one named. */
function recordingStore(
  store: ProposalStore,
  saves: SavedRevision[],
  conflicts: { count: number },
): ProposalStore {
  const record = (
    [matchId, expectedRev, , snapshot, effects]: Parameters<ProposalStore['save']>,
    result: Awaited<ReturnType<ProposalStore['save']>>,
  ) => {
    if (result === 'conflict') conflicts.count += 1;
    if (result === 'saved') {
      saves.push({
        matchId,
        rev: (expectedRev ?? 0) + 1,
        snapshot: snapshot as SavedRevision['snapshot'],
        effects,
      });
    }
  };
  return {
    ...store,
    async save(...args) {
      const result = await store.save(...args);
      record(args, result);
      return result;
    },
    async indexAndSave(...args) {
      const saved = await store.indexAndSave(...args);
      record(args, saved.result);
      return saved;
    },
  };
}

export interface RuntimeClient {
  runtime: ProposalRuntime;
  store: ProposalStore;
  redis: RedisClient;
  counter: ReturnType<typeof countingExecutor>;
  saves: SavedRevision[];
  /** Compare-and-set saves that lost a race and were retried. */
  conflicts: { count: number };
  close(): Promise<void>;
}

/**
 * A second (third, ...) runtime next to the app's, as another process would have: its own
 * Redis connection and store, the app's real effect executor (PostgreSQL, BullMQ timers,
 * notifier, outbound queue), counted. Several clients may share one counter.
 */
export function createRuntimeClient(
  app: App,
  counter = countingExecutor(realExecutor(app)),
): RuntimeClient {
  const redis = testRedis({ maxRetriesPerRequest: 3 });
  const saves: SavedRevision[] = [];
  const conflicts = { count: 0 };
  const store = recordingStore(
    createProposalStore({ redis, keys: app.deps.keys }),
    saves,
    conflicts,
  );
  const runtime = createProposalRuntimeOf(
    {
      ...app.deps,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      inspector: undefined,
    },
    { store, execute: counter.execute },
  );
  return {
    runtime,
    store,
    redis,
    counter,
    saves,
    conflicts,
    close: async () => void (await redis.quit()),
  };
}

/** The app's own effect executor. */
export const realExecutor = (app: App): EffectExecutor => app.deps.services.execute;

const durableRow = z.object({
  status: z.string(),
  accepted_a: z.boolean(),
  accepted_b: z.boolean(),
  declined_by: z.number().nullable(),
  chats: z.number(),
  engaged: z.number(),
  cooldowns: z.number(),
});

/** What PostgreSQL says about one proposal and its two users. */
export function durableState(db: CommonQueryMethods, matchId: number) {
  return db.one(sql.type(durableRow)`
    SELECT m.status, m.accepted_a_at IS NOT NULL AS accepted_a,
           m.accepted_b_at IS NOT NULL AS accepted_b, m.declined_by,
           (SELECT count(*)::int FROM chat_sessions c WHERE c.match_id = m.id) AS chats,
           (SELECT count(*)::int FROM engagements e WHERE e.match_id = m.id) AS engaged,
           (SELECT count(*)::int FROM recent_contacts r
             WHERE (r.user_id, r.other_id) IN ((m.user_a, m.user_b), (m.user_b, m.user_a))) AS cooldowns
    FROM matches m WHERE m.id = ${matchId}`);
}

const searchRow = z.object({
  id: z.string(),
  user_id: z.number(),
  state: z.string(),
  requeue_count: z.number(),
  end_reason: z.string().nullable(),
});
export type SearchRow = z.infer<typeof searchRow>;

/** The searches a match holds (or held). */
export function searchesOf(db: CommonQueryMethods, matchId: number) {
  return db.any(sql.type(searchRow)`
    SELECT id, user_id, state, requeue_count, end_reason FROM searches WHERE match_id = ${matchId}`);
}

/**
 * How many match.find entries announce this search. The janitor trims acknowledged entries
 * only approximately (whole stream nodes of ~100 entries), so a test's few entries stay.
 */
export async function streamEntriesOf(redis: RedisClient, keys: RedisKeys, searchId: string) {
  const entries = await redis.xrange(keys.matchFind, '-', '+');
  return entries.filter(([, fields]) => fields[fields.indexOf('request_id') + 1] === searchId)
    .length;
}

import { sql, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { MatchProducer } from '../streams/match-producer.js';
import type { Notifier } from '../notifications/notifier.js';

export interface SearchSweeperDeps {
  db: DatabasePool;
  producer: MatchProducer;
  notifier: Notifier;
  log: Logger;
  searchTtlMs: number;
  /** How long a standing request ("Keep looking and notify me") lasts: STANDING_REQUEST_HOURS. */
  standingHours: number;
  /** A queued search older than this has probably lost its stream entry (a Redis flush). */
  stuckAfterMs: number;
}

const expired = z.object({ id: z.string(), user_id: z.number(), standing: z.boolean() });
const stuck = z.object({
  id: z.string(),
  user_id: z.number(),
  requested_at: z.date(),
  tz: z.string(),
  topic_ids: z.array(z.number()),
});

/**
 * Ends searches past their TTL (telling the user) and re-announces searches whose match.find
 * entry was lost: those stuck in the queue, or all queued ones once Redis lost its data.
 */
export function createSearchSweeper(deps: SearchSweeperDeps) {
  const { db } = deps;

  /** One match.find entry per search put back in the queue. */
  async function announce(rows: readonly z.infer<typeof stuck>[]): Promise<void> {
    for (const row of rows) {
      await deps.producer.enqueue({
        request_id: row.id,
        user_id: row.user_id,
        topics: row.topic_ids,
        tz: row.tz,
        requested_at: row.requested_at.getTime(),
      });
    }
  }

  /** Puts a new match.find entry for up to `limit` searches queued before `cutoff`. */
  async function reannounce(cutoff: FragmentSqlToken, limit: number): Promise<number> {
    const rows = await db.any(sql.type(stuck)`
      UPDATE searches s SET queued_at = now()
      FROM users u
      WHERE s.id IN (
          SELECT id FROM searches
          WHERE state = 'queued' AND queued_at < ${cutoff}
          ORDER BY queued_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        AND u.id = s.user_id
      RETURNING s.id, s.user_id, s.requested_at, u.tz,
        array(SELECT topic_id FROM user_topics WHERE user_id = s.user_id ORDER BY topic_id) AS topic_ids`);
    await announce(rows);
    if (rows.length) deps.log.warn({ count: rows.length }, 're-announced queued searches');
    return rows.length;
  }

  return {
    async expireSearches(limit = 500): Promise<number> {
      const cutoff = sql.fragment`now() - make_interval(secs => ${deps.searchTtlMs / 1000})`;
      // A standing request outlives the search TTL: it ends at its own `until`.
      const standing = (id: FragmentSqlToken) =>
        sql.fragment`EXISTS (SELECT 1 FROM standing_requests sr WHERE sr.search_id = ${id})`;
      const stillStanding = (id: FragmentSqlToken) =>
        sql.fragment`EXISTS (SELECT 1 FROM standing_requests sr
                             WHERE sr.search_id = ${id} AND sr.until > now())`;
      const ended = await db.transaction(async (tx) => {
        // Pool rows first, skipping those a matcher holds: a claim locks the pool row before
        // the search row, so taking the search first could deadlock with it.
        const pooled = await tx.anyFirst(sql.type(z.object({ search_id: z.string() }))`
          SELECT search_id FROM waiting_pool
          WHERE requested_at < ${cutoff} AND NOT ${stillStanding(sql.fragment`waiting_pool.search_id`)}
          ORDER BY requested_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED`);
        const waiting = pooled.length
          ? await tx.any(sql.type(expired)`
              WITH gone AS (
                DELETE FROM waiting_pool
                WHERE search_id = ANY(${sql.array(pooled, 'uuid')}) RETURNING search_id)
              UPDATE searches SET state = 'expired', ended_at = now(), end_reason = 'ttl'
              WHERE id IN (SELECT search_id FROM gone) AND state = 'waiting'
              RETURNING id, user_id, ${standing(sql.fragment`id`)} AS standing`)
          : [];
        // Queued searches have no pool row; one a matcher is working on is locked: skip it.
        const queued = await tx.any(sql.type(expired)`
          UPDATE searches SET state = 'expired', ended_at = now(), end_reason = 'ttl'
          WHERE id IN (
            SELECT id FROM searches
            WHERE state = 'queued' AND requested_at < ${cutoff}
              AND NOT ${stillStanding(sql.fragment`searches.id`)}
            ORDER BY requested_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, user_id, ${standing(sql.fragment`id`)} AS standing`);
        return [...waiting, ...queued];
      });
      for (const row of ended) {
        await deps.notifier
          .notify(
            row.user_id,
            row.standing
              ? { kind: 'standing.ended', searchId: row.id, hours: deps.standingHours }
              : {
                  kind: 'search.expired',
                  searchId: row.id,
                  minutes: Math.round(deps.searchTtlMs / 60_000),
                },
          )
          .catch((error: unknown) => deps.log.error({ err: error }, 'search expiry notice failed'));
      }
      return ended.length;
    },

    /**
     * Standing requests whose person has just woken (asleep at the last look, awake now):
     * their searches leave the pool and are announced again, so the matcher looks for a
     * partner among those who joined the pool during the night. Returns how many.
     */
    async wakeStanding(limit = 500): Promise<number> {
      const woken = await db.transaction(async (tx) => {
        const flipped = await tx.anyFirst(sql.type(z.object({ search_id: z.string() }))`
          WITH looked AS (
            SELECT search_id, asleep AS was, standing_asleep(search_id) AS now_asleep
            FROM standing_requests WHERE until > now()
            ORDER BY search_id LIMIT ${limit}
            FOR UPDATE SKIP LOCKED),
          changed AS (
            UPDATE standing_requests sr SET asleep = looked.now_asleep
            FROM looked
            WHERE sr.search_id = looked.search_id AND looked.was <> looked.now_asleep
            RETURNING sr.search_id, looked.was)
          SELECT search_id FROM changed WHERE was`);
        if (!flipped.length) return [];
        // Pool rows first, skipping those a matcher holds (the order expireSearches explains).
        const pooled = await tx.anyFirst(sql.type(z.object({ search_id: z.string() }))`
          DELETE FROM waiting_pool WHERE search_id IN (
            SELECT search_id FROM waiting_pool
            WHERE search_id = ANY(${sql.array(flipped, 'uuid')}) FOR UPDATE SKIP LOCKED)
          RETURNING search_id`);
        if (!pooled.length) return [];
        return tx.any(sql.type(stuck)`
          UPDATE searches s SET state = 'queued', queued_at = now()
          FROM users u
          WHERE s.id = ANY(${sql.array(pooled, 'uuid')}) AND s.state = 'waiting'
            AND u.id = s.user_id
          RETURNING s.id, s.user_id, s.requested_at, u.tz,
            array(SELECT topic_id FROM user_topics WHERE user_id = s.user_id ORDER BY topic_id)
              AS topic_ids`);
      });
      await announce(woken);
      return woken.length;
    },

    /** Re-announces searches queued for longer than `stuckAfterMs`. */
    reannounceStuck(limit = 500): Promise<number> {
      return reannounce(
        sql.fragment`now() - make_interval(secs => ${deps.stuckAfterMs / 1000})`,
        limit,
      );
    },

    /**
     * Re-announces every search queued before now, however recently: after Redis lost the
     * stream, none of them has an entry any more. Pages until done; a page's searches get a
     * new queued_at, so they are not taken again.
     */
    async reannounceAllQueued(pageSize = 500): Promise<number> {
      // PostgreSQL's clock, the one queued_at is written with.
      const before = await db.oneFirst(sql.type(z.object({ now: z.date() }))`SELECT now() AS now`);
      let total = 0;
      for (;;) {
        const count = await reannounce(
          sql.fragment`${before.toISOString()}::timestamptz`,
          pageSize,
        );
        total += count;
        if (count < pageSize) return total;
      }
    },
  };
}

export type SearchSweeper = ReturnType<typeof createSearchSweeper>;

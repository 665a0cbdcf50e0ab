import { sql, type DatabasePool } from 'slonik';
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
  /** A queued search older than this has probably lost its stream entry (a Redis flush). */
  stuckAfterMs: number;
}

const expired = z.object({ id: z.string(), user_id: z.number() });
const stuck = z.object({
  id: z.string(),
  user_id: z.number(),
  requested_at: z.date(),
  tz: z.string(),
  topic_ids: z.array(z.number()),
});

/** Ends searches past their TTL (telling the user) and re-announces searches stuck in the queue. */
export function createSearchSweeper(deps: SearchSweeperDeps) {
  const { db } = deps;
  return {
    async expireSearches(limit = 500): Promise<number> {
      const cutoff = sql.fragment`now() - make_interval(secs => ${deps.searchTtlMs / 1000})`;
      const ended = await db.transaction(async (tx) => {
        // Pool rows first, skipping those a matcher holds: a claim locks the pool row before
        // the search row, so taking the search first could deadlock with it.
        const pooled = await tx.anyFirst(sql.type(z.object({ search_id: z.string() }))`
          SELECT search_id FROM waiting_pool
          WHERE requested_at < ${cutoff}
          ORDER BY requested_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED`);
        const waiting = pooled.length
          ? await tx.any(sql.type(expired)`
              WITH gone AS (
                DELETE FROM waiting_pool
                WHERE search_id = ANY(${sql.array(pooled, 'uuid')}) RETURNING search_id)
              UPDATE searches SET state = 'expired', ended_at = now(), end_reason = 'ttl'
              WHERE id IN (SELECT search_id FROM gone) AND state = 'waiting'
              RETURNING id, user_id`)
          : [];
        // Queued searches have no pool row; one a matcher is working on is locked: skip it.
        const queued = await tx.any(sql.type(expired)`
          UPDATE searches SET state = 'expired', ended_at = now(), end_reason = 'ttl'
          WHERE id IN (
            SELECT id FROM searches
            WHERE state = 'queued' AND requested_at < ${cutoff}
            ORDER BY requested_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, user_id`);
        return [...waiting, ...queued];
      });
      for (const row of ended) {
        await deps.notifier
          .notify(row.user_id, {
            kind: 'search.expired',
            searchId: row.id,
            minutes: Math.round(deps.searchTtlMs / 60_000),
          })
          .catch((error: unknown) => deps.log.error({ err: error }, 'search expiry notice failed'));
      }
      return ended.length;
    },

    async reannounceStuck(limit = 500): Promise<number> {
      const rows = await db.any(sql.type(stuck)`
        UPDATE searches s SET queued_at = now()
        FROM users u
        WHERE s.id IN (
            SELECT id FROM searches
            WHERE state = 'queued'
              AND queued_at < now() - make_interval(secs => ${deps.stuckAfterMs / 1000})
            ORDER BY queued_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          AND u.id = s.user_id
        RETURNING s.id, s.user_id, s.requested_at, u.tz,
          array(SELECT topic_id FROM user_topics WHERE user_id = s.user_id ORDER BY topic_id) AS topic_ids`);
      for (const row of rows) {
        await deps.producer.enqueue({
          request_id: row.id,
          user_id: row.user_id,
          topics: row.topic_ids,
          tz: row.tz,
          requested_at: row.requested_at.getTime(),
        });
      }
      if (rows.length) deps.log.warn({ count: rows.length }, 're-announced stuck searches');
      return rows.length;
    },
  };
}

export type SearchSweeper = ReturnType<typeof createSearchSweeper>;

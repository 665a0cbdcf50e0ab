import type pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import type { FindRecord } from './load-generator.js';
import { summarize } from './stats.js';

interface MatchRow {
  id: number;
  user_a: number;
  user_b: number;
  search_a: string | null;
  search_b: string | null;
  created_ms: number;
}

/**
 * When both proposal messages of each match were handed to the outbound path: the later of
 * the two BullMQ jobs' `timestamp` (set by the producing process when it called add). NaN
 * when a job is missing.
 */
async function handoffTimes(
  redis: RedisClient,
  outboundPrefix: string,
  matches: readonly MatchRow[],
) {
  const result = new Map<number, number>();
  for (let start = 0; start < matches.length; start += 2_000) {
    const pipeline = redis.pipeline();
    const chunk = matches.slice(start, start + 2_000);
    for (const match of chunk) {
      for (const user of [match.user_a, match.user_b]) {
        pipeline.hget(`${outboundPrefix}:outbound:m${match.id}-proposal-u${user}`, 'timestamp');
      }
    }
    const replies = (await pipeline.exec()) ?? [];
    chunk.forEach((match, i) => {
      const a = Number(replies[2 * i]?.[1] ?? Number.NaN);
      const b = Number(replies[2 * i + 1]?.[1] ?? Number.NaN);
      result.set(match.id, Math.max(a, b));
    });
  }
  return result;
}

export interface LatencyReport {
  matches: number;
  missingHandoffs: number;
  /** First proposal of a search whose own /find found a waiting partner (it is user_a). */
  partnerWaiting: ReturnType<typeof summarize>;
  partnerWaitingWithin1s: number;
  /**
   * The same, in two parts: request accepted -> the claiming transaction began (stream,
   * matcher queueing, seeker lookup), and that -> both messages handed over (the rest of the
   * claim, the proposal actor and its effects).
   */
  partnerWaitingParts: {
    toClaim: ReturnType<typeof summarize>;
    claimToHandoff: ReturnType<typeof summarize>;
  };
  /** First proposal of every search, including time spent waiting in the pool. */
  allFirstProposals: ReturnType<typeof summarize>;
  /** Probed requests: a compatible partner was waiting when the request was made. */
  probe: { probed: number; partnerWaiting: number; proposedWithin1s: number; share: number };
}

/** Time-to-proposal figures for searches requested in [from, to]. */
export async function measureLatency(
  db: pg.Pool,
  redis: RedisClient,
  outboundPrefix: string,
  finds: readonly FindRecord[],
  from: number,
  to: number,
): Promise<LatencyReport> {
  const searches = await db.query<{ id: string; user_id: string; requested_ms: number }>(
    `SELECT id, user_id, (extract(epoch FROM requested_at) * 1000)::float8 AS requested_ms
     FROM searches WHERE requested_at BETWEEN to_timestamp($1 / 1000.0) AND to_timestamp($2 / 1000.0)`,
    [from - 1_000, to + 1_000],
  );
  const requested = new Map(searches.rows.map((row) => [row.id, row.requested_ms]));
  const matchRows = await db.query<MatchRow>(
    `SELECT id::int, user_a::int, user_b::int, search_a, search_b,
            (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
     FROM matches WHERE created_at >= to_timestamp($1 / 1000.0) ORDER BY id`,
    [from - 1_000],
  );
  const handoff = await handoffTimes(redis, outboundPrefix, matchRows.rows);
  const firstMatchOf = new Map<string, { matchId: number; seeker: boolean }>();
  for (const match of matchRows.rows) {
    if (match.search_a && !firstMatchOf.has(match.search_a)) {
      firstMatchOf.set(match.search_a, { matchId: match.id, seeker: true });
    }
    if (match.search_b && !firstMatchOf.has(match.search_b)) {
      firstMatchOf.set(match.search_b, { matchId: match.id, seeker: false });
    }
  }
  const waiting: number[] = [];
  const all: number[] = [];
  const toClaim: number[] = [];
  const toHandoff: number[] = [];
  const createdAt = new Map(matchRows.rows.map((match) => [match.id, match.created_ms]));
  for (const [searchId, first] of firstMatchOf) {
    const at = requested.get(searchId);
    const handed = handoff.get(first.matchId) ?? Number.NaN;
    if (at === undefined || at < from || at > to || Number.isNaN(handed)) continue;
    const ms = Math.max(0, handed - at);
    all.push(ms);
    if (!first.seeker) continue;
    waiting.push(ms);
    const created = createdAt.get(first.matchId)!;
    toClaim.push(Math.max(0, created - at));
    toHandoff.push(Math.max(0, handed - created));
  }

  // Probed requests: find their search by user and time, then its first proposal.
  const byUser = new Map<number, { id: string; at: number }[]>();
  for (const row of searches.rows) {
    const list = byUser.get(Number(row.user_id)) ?? [];
    list.push({ id: row.id, at: row.requested_ms });
    byUser.set(Number(row.user_id), list);
  }
  let probed = 0;
  let partnerWaiting = 0;
  let within = 0;
  for (const find of finds) {
    if (find.partnerWaiting === undefined || find.outcome !== 'queued') continue;
    probed += 1;
    if (!find.partnerWaiting) continue;
    partnerWaiting += 1;
    const search = byUser
      .get(find.user + 1)
      ?.find((s) => s.at >= find.sentAt - 50 && s.at <= find.ackAt + 50);
    const first = search ? firstMatchOf.get(search.id) : undefined;
    const handed = first ? handoff.get(first.matchId) : undefined;
    if (search && handed !== undefined && handed - search.at <= 1_000) within += 1;
  }
  return {
    matches: matchRows.rows.length,
    missingHandoffs: [...handoff.values()].filter((value) => Number.isNaN(value)).length,
    partnerWaiting: summarize(waiting),
    partnerWaitingWithin1s: waiting.length
      ? waiting.filter((ms) => ms <= 1_000).length / waiting.length
      : Number.NaN,
    partnerWaitingParts: { toClaim: summarize(toClaim), claimToHandoff: summarize(toHandoff) },
    allFirstProposals: summarize(all),
    probe: {
      probed,
      partnerWaiting,
      proposedWithin1s: within,
      share: partnerWaiting ? within / partnerWaiting : Number.NaN,
    },
  };
}

/**
 * Users who were ever in two live proposals or chats at once, from PostgreSQL's history: a
 * match holds both users from created_at until it was decided, or, for one that became a
 * chat, until the chat ended. Overlapping spans of one user are a double booking.
 */
export async function countDoubleBooked(db: pg.Pool): Promise<number> {
  const result = await db.query<{ n: number }>(`
    WITH spans AS (
      SELECT m.id, u.user_id, m.created_at AS since,
             CASE WHEN m.status = 'active' THEN coalesce(c.ended_at, 'infinity')
                  ELSE coalesce(m.decided_at, 'infinity') END AS until
      FROM matches m
      LEFT JOIN chat_sessions c ON c.match_id = m.id
      CROSS JOIN LATERAL (VALUES (m.user_a), (m.user_b)) AS u(user_id)
    ), ordered AS (
      SELECT user_id, since,
             max(until) OVER (PARTITION BY user_id ORDER BY since, id
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_until
      FROM spans
    )
    SELECT count(DISTINCT user_id)::int AS n FROM ordered WHERE earlier_until > since`);
  return result.rows[0]?.n ?? 0;
}

/** Where every search accepted in [from, to] ended up, after the pipeline drained. */
export async function searchStates(db: pg.Pool, from: number, to: number) {
  const result = await db.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM searches
     WHERE requested_at BETWEEN to_timestamp($1 / 1000.0) AND to_timestamp($2 / 1000.0)
     GROUP BY state ORDER BY state`,
    [from - 1_000, to + 1_000],
  );
  return Object.fromEntries(result.rows.map((row) => [row.state, row.n]));
}

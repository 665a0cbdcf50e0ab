import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/** A /find as the crowd made it: who pressed (their Telegram id) and when (epoch ms). */
export interface Press {
  tgId: number;
  at: number;
}

/**
 * Whether, at the moment each press was made, the service had a partner the matcher was
 * allowed to propose: someone else with an open search who was not in a proposal of their own,
 * sharing at least 2 topics, never proposed to this person before (every decided proposal
 * leaves the pair a cooldown of COOLDOWN_HOURS, longer than any sandbox run) and not blocked
 * either way. It is read from PostgreSQL's history (searches and matches keep their times), so
 * it sees what the crowd cannot: a partner whose own proposal is being made, or a cooldown.
 * The crowd's own view ("someone compatible is searching") is kept beside it in the report.
 */
export async function partnersWaiting(
  db: CommonQueryMethods,
  presses: readonly Press[],
): Promise<boolean[]> {
  if (presses.length === 0) return [];
  const rows = await db.any(sql.type(z.object({ i: z.number(), waiting: z.boolean() }))`
    WITH press AS (
      SELECT x.i::int AS i, u.id AS user_id, to_timestamp(x.ms / 1000.0) AS t
      FROM unnest(${sql.array(
        presses.map((press) => press.tgId),
        'int8',
      )}::bigint[], ${sql.array(
        presses.map((press) => press.at),
        'float8',
      )}::float8[]) WITH ORDINALITY AS x(tg, ms, i)
      LEFT JOIN users u ON u.tg_id = x.tg
    )
    SELECT p.i, p.user_id IS NOT NULL AND EXISTS (
      SELECT 1 FROM searches s
      WHERE s.user_id <> p.user_id
        AND s.requested_at < p.t
        AND coalesce(s.ended_at, 'infinity') > p.t
        -- not in a proposal of their own at that moment
        AND NOT EXISTS (
          SELECT 1 FROM matches m
          WHERE (m.user_a = s.user_id OR m.user_b = s.user_id)
            AND m.created_at <= p.t AND coalesce(m.decided_at, 'infinity') > p.t)
        -- never proposed to each other before: the cooldown
        AND NOT EXISTS (
          SELECT 1 FROM matches m
          WHERE ((m.user_a = p.user_id AND m.user_b = s.user_id)
              OR (m.user_a = s.user_id AND m.user_b = p.user_id))
            AND m.created_at < p.t)
        AND NOT EXISTS (
          SELECT 1 FROM blocks b
          WHERE (b.user_id = p.user_id AND b.blocked_id = s.user_id)
             OR (b.user_id = s.user_id AND b.blocked_id = p.user_id))
        AND (SELECT count(*) FROM user_topics a JOIN user_topics b ON b.topic_id = a.topic_id
             WHERE a.user_id = p.user_id AND b.user_id = s.user_id) >= 2
    ) AS waiting
    FROM press p
    ORDER BY p.i`);
  const waiting = new Array<boolean>(presses.length).fill(false);
  for (const row of rows) waiting[row.i - 1] = row.waiting;
  return waiting;
}

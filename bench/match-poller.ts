import type pg from 'pg';

export interface PolledMatch {
  id: number;
  userA: number;
  userB: number;
  expiresMs: number;
}

/** How long an id below the highest seen is still expected to commit. */
const GAP_MS = 3_000;

/**
 * New proposals as the harness learns of them: by reading `matches`. Matches commit out of id
 * order, so an id below the highest seen may still appear. The poller remembers each id it
 * skipped and reads again from the lowest of them, until that id is older than GAP_MS and
 * is taken as never committed (a rolled-back claim spends an id too). Without gaps a poll
 * reads only what is new: re-reading a fixed window of ids on every poll made the harness's
 * own queries a large share of the database's CPU, which the lifecycle figure must not carry.
 */
export async function createMatchPoller(db: pg.Pool, gapMs = GAP_MS) {
  // Earlier phases' people are not ours to answer for.
  const before = await db.query<{ id: number }>(
    'SELECT coalesce(max(id), 0)::int AS id FROM matches',
  );
  let highest = before.rows[0]?.id ?? 0;
  const gaps = new Map<number, number>();

  function lowestOpenGap(now: number): number | undefined {
    let lowest: number | undefined;
    for (const [id, since] of gaps) {
      if (now - since > gapMs) gaps.delete(id);
      else if (lowest === undefined || id < lowest) lowest = id;
    }
    return lowest;
  }

  return async function poll(now = Date.now()): Promise<PolledMatch[]> {
    const gap = lowestOpenGap(now);
    const result = await db.query<{
      id: string;
      user_a: string;
      user_b: string;
      expires_ms: number;
    }>(
      `SELECT id, user_a, user_b, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms
       FROM matches WHERE id > $1 ORDER BY id`,
      [gap === undefined ? highest : gap - 1],
    );
    const fresh: PolledMatch[] = [];
    for (const row of result.rows) {
      const id = Number(row.id);
      if (id <= highest && !gaps.delete(id)) continue;
      for (let skipped = highest + 1; skipped < id; skipped += 1) gaps.set(skipped, now);
      highest = Math.max(highest, id);
      fresh.push({
        id,
        userA: Number(row.user_a),
        userB: Number(row.user_b),
        expiresMs: row.expires_ms,
      });
    }
    return fresh;
  };
}

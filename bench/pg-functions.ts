import type pg from 'pg';

type Counters = Map<string, { calls: number; selfMs: number; totalMs: number }>;

export interface FunctionTime {
  name: string;
  calls: number;
  /** Wall time inside the function itself, its callees apart, per accepted /find. */
  selfMsPerFind: number;
  /** With its callees. */
  totalMsPerFind: number;
  selfMsPerCall: number;
}

/**
 * Time PostgreSQL spent inside each SQL function of the bench database (`--pg-functions`,
 * `track_functions = all`), between two readings of `pg_stat_user_functions`. It is wall time
 * as the backend saw it (waits and time slices lost to other processes included), not CPU.
 * A backend reports its counts at most once a second, and an idle one within ten, so a
 * reading taken right after a phase can miss its last seconds.
 */
export async function readFunctionCounters(db: pg.Pool): Promise<Counters> {
  const result = await db.query<{ name: string; calls: string; self: number; total: number }>(
    `SELECT funcname AS name, calls, self_time AS self, total_time AS total
     FROM pg_stat_user_functions`,
  );
  return new Map(
    result.rows.map((row) => [
      row.name,
      { calls: Number(row.calls), selfMs: row.self, totalMs: row.total },
    ]),
  );
}

/** The functions that took time between two readings, most self time first. */
export function functionTimes(before: Counters, after: Counters, finds: number): FunctionTime[] {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const rows: FunctionTime[] = [];
  for (const [name, end] of after) {
    const start = before.get(name) ?? { calls: 0, selfMs: 0, totalMs: 0 };
    const calls = end.calls - start.calls;
    if (calls <= 0 || finds <= 0) continue;
    const selfMs = end.selfMs - start.selfMs;
    rows.push({
      name,
      calls,
      selfMsPerFind: round(selfMs / finds),
      totalMsPerFind: round((end.totalMs - start.totalMs) / finds),
      selfMsPerCall: round(selfMs / calls),
    });
  }
  return rows.sort((a, b) => b.selfMsPerFind - a.selfMsPerFind);
}

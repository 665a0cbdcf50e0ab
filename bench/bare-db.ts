import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { utcOffsetMinutes } from '../src/time/waking-hours.js';
import type { BenchUser } from './population.js';
import { sampleProcess } from './service-processes.js';
import { round } from './stats.js';

export interface BareOptions {
  url: string;
  users: readonly BenchUser[];
  clients: number;
  seconds: number;
  wakingMinutes: number;
  proposalTtlMs: number;
}

/** The unmeasured start of the phase, before its statistics are taken. */
const WARMUP_MS = 3_000;

function offsetOf(tz: string): number {
  try {
    return utcOffsetMinutes(tz);
  } catch {
    return 0;
  }
}

/** One /find as the database alone sees it; true when the request was accepted. */
async function oneFind(client: pg.Client, user: BenchUser, options: BareOptions) {
  const userId = user.index + 1;
  const request = randomUUID();
  const started = await client.query<{ outcome: string; topic_ids: number[] | null }>(
    'SELECT outcome, topic_ids FROM search_start($1, $2)',
    [userId, request],
  );
  if (started.rows[0]?.outcome !== 'queued') return false;
  const { tz } = user;
  const ttl = options.proposalTtlMs;
  const processed = await client.query<{ kind: string }>(
    'SELECT kind FROM match_process_search($1, $2, $3, $4, $5)',
    [request, tz, offsetOf(tz), options.wakingMinutes, ttl],
  );
  if (processed.rows[0]?.kind !== 'waiting') return true;
  // The same one more look as the matcher takes (claim-match.ts), retried while it races.
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const second = await client.query<{ kind: string }>(
      'SELECT kind FROM match_second_chance($1, $2, $3::int4[], $4, $5, $6)',
      [userId, request, started.rows[0].topic_ids ?? [], offsetOf(tz), options.wakingMinutes, ttl],
    );
    if (second.rows[0]?.kind !== 'retry') break;
  }
  return true;
}

/**
 * The bare database work of /find on the benchmark's data: `search_start`, then
 * `match_process_search` and, for who joins the pool, `match_second_chance`, back to back on
 * `clients` connections with no service, queue or Redis in between. It runs before the service
 * starts, on an empty pool, and its searches and matches are truncated afterwards, so the
 * phases that follow see the data as seeded. What it sustains is the ceiling the pipeline's
 * own cost is compared with.
 */
export async function runBareDatabase(options: BareOptions) {
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new pg.Client({ connectionString: options.url });
      await client.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
        .pid;
      return { client, pid };
    }),
  );
  const cpu = async () => {
    const samples = await Promise.all(clients.map(({ pid }) => sampleProcess(pid)));
    return samples.reduce((sum, s) => sum + (s?.cpuSeconds ?? 0), 0);
  };
  let next = 0;
  const runFor = async (ms: number) => {
    const until = Date.now() + ms;
    let accepted = 0;
    await Promise.all(
      clients.map(async ({ client }) => {
        while (Date.now() < until && next < options.users.length) {
          if (await oneFind(client, options.users[next++]!, options)) accepted += 1;
        }
      }),
    );
    return accepted;
  };
  // Unmeasured: the tables grow to a working size, then ANALYZE, so that the measured part
  // runs on the plans of a database in service, as the pipeline's phases do, and not on the
  // sequential scans the sessions planned when the tables were empty and kept.
  try {
    await runFor(WARMUP_MS);
    await clients[0]!.client.query('ANALYZE');
    const harnessBefore = process.cpuUsage();
    const backendBefore = await cpu();
    const started = Date.now();
    const accepted = await runFor(options.seconds * 1000);
    const seconds = (Date.now() - started) / 1000;
    const backendSeconds = (await cpu()) - backendBefore;
    const harness = process.cpuUsage(harnessBefore);
    const clientSeconds = (harness.user + harness.system) / 1e6;
    const matched = await clients[0]!.client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM matches',
    );
    // Back to the data as seeded: no search, pool row, engagement or match is left behind.
    await clients[0]!.client.query('TRUNCATE searches, waiting_pool, engagements, matches CASCADE');
    return {
      clients: options.clients,
      seconds: round(seconds, 1),
      findsAccepted: accepted,
      matches: matched.rows[0]?.n ?? 0,
      perSecond: round(accepted / seconds, 1),
      /** PostgreSQL backends' CPU per accepted /find. */
      backendCpuMsPerFind: accepted ? round((backendSeconds * 1000) / accepted, 2) : Number.NaN,
      /** The benchmark process's own CPU per /find (the pg client), for comparison. */
      clientCpuMsPerFind: accepted ? round((clientSeconds * 1000) / accepted, 2) : Number.NaN,
    };
  } finally {
    await Promise.all(clients.map(({ client }) => client.end().catch(() => undefined)));
  }
}

export type BareFigures = Awaited<ReturnType<typeof runBareDatabase>>;

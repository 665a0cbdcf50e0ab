import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { withApplicationName } from '../src/db/pool.js';
import type { BenchUser } from './population.js';

/** The benchmark's own database on the local server; dropped and recreated each run. */
export const BENCH_DB_NAME = 'tete_bench';

export function serverUrl(): string {
  return process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

export function benchDbUrl(): string {
  return `${serverUrl()}/${BENCH_DB_NAME}`;
}

/**
 * The harness's own connections carry this `application_name`, so the resource monitor counts
 * their backends (polling proposals, probing the pool) with the load generator, not the service.
 */
export const HARNESS_APPLICATION = 'tete-bench-harness';

export function harnessDbUrl(): string {
  return withApplicationName(benchDbUrl(), HARNESS_APPLICATION);
}

/** Settings of the bench database that a run can ask for. */
export interface BenchDbSettings {
  /** `synchronous_commit = off`: a deployment choice measured by `--async-commit`. */
  asyncCommit?: boolean;
  /** `track_functions = all`: time inside each SQL function, for `--pg-functions`. */
  trackFunctions?: boolean;
}

/**
 * Drops the benchmark database (closing its connections) and creates it migrated, with the
 * settings asked for; the default run keeps PostgreSQL's defaults.
 */
export async function resetBenchDatabase(settings: BenchDbSettings = {}): Promise<void> {
  await dropBenchDatabase();
  await migrate({ databaseUrl: benchDbUrl() });
  const wanted = [
    settings.asyncCommit ? 'synchronous_commit = off' : '',
    settings.trackFunctions ? "track_functions = 'all'" : '',
  ].filter(Boolean);
  if (wanted.length === 0) return;
  const admin = new pg.Client({ connectionString: `${serverUrl()}/postgres` });
  await admin.connect();
  try {
    for (const setting of wanted)
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(BENCH_DB_NAME)} SET ${setting}`);
  } finally {
    await admin.end();
  }
}

export async function dropBenchDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${serverUrl()}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(BENCH_DB_NAME)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

const CHUNK = 10_000;

/**
 * Loads the topic catalogue up to `topicCount` topics and every user with their topics, in
 * multi-row INSERT ... SELECT FROM unnest(...) batches. User ids are index + 1 and topic
 * ids are popularity ranks (1 = most popular), so the load generator needs no lookups.
 * Everyone has accepted the rules, so every user may search.
 */
export async function seedPopulation(
  client: pg.Client,
  users: readonly BenchUser[],
  topicCount: number,
): Promise<void> {
  const existing = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM topics');
  const have = existing.rows[0]?.n ?? 0;
  if (have < topicCount) {
    const ids = Array.from({ length: topicCount - have }, (_, i) => have + i + 1);
    await client.query(
      `INSERT INTO topics (slug, title_ru, title_en)
       SELECT 'bench-topic-' || n, 'Тема ' || n, 'Topic ' || n FROM unnest($1::int[]) AS n ORDER BY n`,
      [ids],
    );
  }
  for (let start = 0; start < users.length; start += CHUNK) {
    const chunk = users.slice(start, start + CHUNK);
    await client.query(
      `INSERT INTO users (id, tg_id, first_name, language, tz, rules_accepted_at, helpfulness)
       OVERRIDING SYSTEM VALUE
       SELECT id, tg_id, first_name, language, tz, now(), helpfulness
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::real[])
         AS t(id, tg_id, first_name, language, tz, helpfulness)`,
      [
        chunk.map((user) => user.index + 1),
        chunk.map((user) => user.tgId),
        chunk.map((user) => user.firstName),
        chunk.map((user) => user.language),
        chunk.map((user) => user.tz),
        chunk.map((user) => user.helpfulness),
      ],
    );
    const userIds: number[] = [];
    const topicIds: number[] = [];
    for (const user of chunk) {
      for (const rank of user.topicRanks) {
        userIds.push(user.index + 1);
        topicIds.push(rank);
      }
    }
    await client.query(
      `INSERT INTO user_topics (user_id, topic_id) SELECT * FROM unnest($1::bigint[], $2::int[])`,
      [userIds, topicIds],
    );
  }
  await client.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), $1)`, [users.length]);
  await client.query('ANALYZE');
}

import { sql, type CommonQueryMethods, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { App } from '../../src/app.js';
import { createDbPool } from '../../src/db/pool.js';
import { createScratchDatabase } from './databases.js';
import { spawnTs, type Spawned } from './process.js';
import { clusterNodesEnv } from './services.js';

let nextTgId = 8_000_000_000;

export interface UserFixture {
  topics: readonly number[];
  tz?: string;
  helpfulness?: number;
  /** Default true; false leaves the rules unaccepted (an incomplete profile). */
  rulesAccepted?: boolean;
  firstName?: string;
}

/** Inserts a user with a profile straight into PostgreSQL; returns the user id. */
export async function createUser(db: CommonQueryMethods, fixture: UserFixture): Promise<number> {
  nextTgId += 1;
  const id = await db.oneFirst(sql.type(z.object({ id: z.number() }))`
    INSERT INTO users (tg_id, first_name, tz, helpfulness, rules_accepted_at)
    VALUES (${nextTgId}, ${fixture.firstName ?? `user${nextTgId}`}, ${fixture.tz ?? 'Europe/Moscow'},
            ${fixture.helpfulness ?? 0.5}, ${fixture.rulesAccepted === false ? null : sql.fragment`now()`})
    RETURNING id`);
  for (const topic of fixture.topics) {
    await db.query(
      sql.unsafe`INSERT INTO user_topics (user_id, topic_id) VALUES (${id}, ${topic})`,
    );
  }
  return id;
}

/** Creates `count` users with the same fixture. */
export async function createUsers(
  db: CommonQueryMethods,
  count: number,
  fixture: UserFixture,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await createUser(db, fixture));
  return ids;
}

/**
 * Inserts a queued search (what /match/find writes before its XADD), optionally with an
 * older request time; returns its id.
 */
export async function createSearch(
  db: CommonQueryMethods,
  userId: number,
  requestedAgoMs = 0,
): Promise<string> {
  return db.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO searches (id, user_id, requested_at)
    VALUES (gen_random_uuid(), ${userId}, now() - make_interval(secs => ${requestedAgoMs / 1000}))
    RETURNING id`);
}

/** Counts the rows of `query` (a `sql.fragment`). */
export const countRows = (db: CommonQueryMethods, query: FragmentSqlToken) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM (${query}) q`);

/** The state of every search of `userId`, oldest first. */
export function searchStates(db: CommonQueryMethods, userId: number): Promise<readonly string[]> {
  return db.anyFirst(sql.type(z.object({ state: z.string() }))`
    SELECT state FROM searches WHERE user_id = ${userId} ORDER BY requested_at, id`);
}

/**
 * Puts `userId` into the waiting pool the way the matcher does when it finds nobody: a
 * waiting search and a pool row with the user's topics, UTC offset and helpfulness.
 */
export async function enterPool(
  db: CommonQueryMethods,
  userId: number,
  options: { requestedAgoMs?: number; utcOffsetMin: number },
): Promise<string> {
  const searchId = await createSearch(db, userId, options.requestedAgoMs ?? 0);
  await db.query(sql.unsafe`UPDATE searches SET state = 'waiting' WHERE id = ${searchId}`);
  await db.query(sql.unsafe`
    INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at)
    SELECT u.id, s.id, array(SELECT topic_id FROM user_topics WHERE user_id = u.id ORDER BY topic_id),
           ${options.utcOffsetMin}, u.helpfulness, s.requested_at
    FROM users u JOIN searches s ON s.user_id = u.id
    WHERE s.id = ${searchId}`);
  return searchId;
}

/** Empties everything matching wrote, so each test of a suite starts from no one searching. */
export async function resetMatching(db: CommonQueryMethods): Promise<void> {
  await db.query(sql.unsafe`
    TRUNCATE waiting_pool, engagements, chat_sessions, feedback, reports, matches, searches,
             recent_contacts, blocks CASCADE`);
}

/**
 * Starts a real matcher process (`src/main.ts` with ROLES=matcher) on the database and
 * Redis prefix of `app`; resolves once it is consuming, with the port of its /metrics.
 */
export async function spawnMatcher(
  app: App,
  env: Record<string, string> = {},
): Promise<{ run: Spawned; port: number }> {
  const { config } = app.deps;
  const run = spawnTs('src/main.ts', {
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    REDIS_CLUSTER_NODES: clusterNodesEnv(config),
    REDIS_PREFIX: config.REDIS_PREFIX,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ROLES: 'matcher',
    STARTUP_TIMEOUT_SECONDS: '20',
    ...env,
  });
  const started = await run.waitFor(/tete started/, 60_000);
  return { run, port: (JSON.parse(started) as { port: number }).port };
}

/** Stops a spawned process if it still runs (SIGKILL: nothing of it is under test any more). */
export async function reap(run: Spawned): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await run.exited;
}

/** Lines a spawned service logged with this message. */
export function logLines(run: Spawned, msg: string): Record<string, unknown>[] {
  return run
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);
}

/** One value of a Prometheus text exposition (the first sample of `name`). */
export async function scrape(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (!line) throw new Error(`no sample of ${name}`);
  return Number(line.slice(name.length + 1));
}

/**
 * For a suite on a database of its own: a migrated scratch database with a pool of `size`
 * connections, handed to `use` before the suite's tests, emptied of everything matching wrote
 * before each test (resetMatching) and closed after the suite. Call it inside `describe`.
 */
export function withMatchingDatabase(use: (db: DatabasePool) => void, size = 4): void {
  let db: DatabasePool | undefined;
  before(async () => {
    db = await createDbPool({ url: await createScratchDatabase(), size });
    use(db);
  });
  after(() => db?.end());
  beforeEach(() => resetMatching(db!));
}

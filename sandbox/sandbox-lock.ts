import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import { StartupError } from '../src/startup/wait-for.js';

/** Who runs a sandbox, as the one that is refused is told. */
export interface SandboxHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** The HTTP port, once the service listens. */
  port?: number;
}

/**
 * Another sandbox runs on the same database or Redis prefix. A start-up refusal written for
 * the person at the terminal, which entry points print as it is.
 */
export class SandboxBusyError extends StartupError {
  override readonly name = 'SandboxBusyError';
}

export interface SandboxLock {
  /** Records the HTTP port in the holder, for the message a second sandbox gets. */
  setPort(port: number): Promise<void>;
  release(): Promise<void>;
}

const REDIS_TTL_MS = 15_000;
const ELSEWHERE = 'REDIS_PREFIX (which also gives it its own database)';

// Compare-and-act, so a lock that lapsed and was taken over is never extended or deleted.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) end return 0`;

const describe = (holder: SandboxHolder) =>
  `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}` +
  (holder.port === undefined ? '' : `, serving http://127.0.0.1:${holder.port}/metrics`);

/** PostgreSQL: a session-level advisory lock, which ends with the session if we crash. */
async function lockDatabase(serverUrl: string, database: string, holder: SandboxHolder) {
  const client = new pg.Client({ connectionString: serverUrl });
  // A server restart ends the session (and the lock); the sandbox finds out on its own.
  client.on('error', () => undefined);
  await client.connect();
  const key = `tete-sandbox:${database}`;
  const named = (h: SandboxHolder) =>
    client.query(`SELECT set_config('application_name', $1, false)`, [
      `tete sandbox pid ${h.pid}${h.port === undefined ? '' : ` port ${h.port}`}`.slice(0, 63),
    ]);
  try {
    await named(holder);
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [key],
    );
    if (!rows[0]?.locked) {
      const other = await client.query<{ who: string; since: Date; addr: string | null }>(
        `SELECT a.application_name AS who, a.backend_start AS since, a.client_addr::text AS addr
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND ((l.classid::int8 << 32) | l.objid::int8) = hashtextextended($1, 0)`,
        [key],
      );
      const row = other.rows[0];
      throw new SandboxBusyError(
        `Another sandbox is running on database ${database}` +
          (row
            ? ` (${row.who || 'unnamed'}, connected from ${row.addr ?? 'a local socket'} ` +
              `since ${row.since.toISOString()})`
            : '') +
          `. Stop it first, or give this one another ${ELSEWHERE}.`,
      );
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    setPort: (port: number) => named({ ...holder, port }).then(() => undefined),
    release: () => client.end(),
  };
}

/** A claim left by a process of this machine that no longer exists (one killed hard). */
function isAbandoned(other: SandboxHolder | undefined): boolean {
  if (other?.host !== hostname()) return false;
  try {
    process.kill(other.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Redis: a key with an expiry, renewed while we run, holding who we are. */
async function lockPrefix(redis: RedisClient, key: string, holder: SandboxHolder) {
  const token = randomBytes(8).toString('hex');
  let value = JSON.stringify({ token, ...holder });
  if ((await redis.set(key, value, 'PX', REDIS_TTL_MS, 'NX')) !== 'OK') {
    const raw = await redis.get(key);
    const other = raw ? (JSON.parse(raw) as SandboxHolder) : undefined;
    const takenOver =
      raw !== null &&
      isAbandoned(other) &&
      (await redis.eval(RENEW, 1, key, raw, value, REDIS_TTL_MS)) === 1;
    if (!takenOver) {
      throw new SandboxBusyError(
        `Another sandbox is running on the Redis keys of ${key}` +
          (other ? ` (${describe(other)})` : '') +
          `. Stop it first, or give this one another ${ELSEWHERE}.`,
      );
    }
  }
  // Renewing never changes the holder; only a renewal that still found our value moves on.
  const renew = async (next: string) => {
    if ((await redis.eval(RENEW, 1, key, value, next, REDIS_TTL_MS)) === 1) value = next;
  };
  const timer = setInterval(() => void renew(value).catch(() => undefined), REDIS_TTL_MS / 3);
  timer.unref();
  return {
    setPort: (port: number) => renew(JSON.stringify({ token, ...holder, port })),
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, value);
    },
  };
}

/**
 * Claims a sandbox's database and Redis key space for this process, each where it lives, so
 * that a second sandbox on either refuses to start instead of clearing the first one's data.
 * @throws SandboxBusyError saying which sandbox holds it.
 */
export async function lockSandbox(options: {
  /** The PostgreSQL server's maintenance database, where the advisory lock is held. */
  serverUrl: string;
  database: string;
  redis: RedisClient;
  redisKey: string;
}): Promise<SandboxLock> {
  const holder: SandboxHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  const database = await lockDatabase(options.serverUrl, options.database, holder);
  let prefix: Awaited<ReturnType<typeof lockPrefix>>;
  try {
    prefix = await lockPrefix(options.redis, options.redisKey, holder);
  } catch (error) {
    await database.release();
    throw error;
  }
  return {
    async setPort(port) {
      await Promise.all([database.setPort(port), prefix.setPort(port)]);
    },
    async release() {
      await Promise.allSettled([prefix.release(), database.release()]);
    },
  };
}

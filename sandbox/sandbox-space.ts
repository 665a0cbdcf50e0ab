import { createHash } from 'node:crypto';
import pg from 'pg';
import { ConfigError, maskUrl, redisWhere, type Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { connectRedis, createRedisClient } from '../src/redis/client.js';
import { deleteKeys } from '../src/redis/delete-keys.js';
import { waitFor } from '../src/startup/wait-for.js';
import { lockSandbox, SandboxBusyError, type SandboxLock } from './sandbox-lock.js';

/**
 * Where a sandbox keeps its data: a database and a Redis key prefix of its own, derived from
 * the configured ones, so a simulated crowd never writes into real data.
 */
export interface SandboxSpace {
  database: string;
  databaseUrl: string;
  /** The server's maintenance database: where the sandbox database is dropped and locked. */
  serverUrl: string;
  /** `<REDIS_PREFIX>sandbox:`; every key of the sandbox's service starts with it. */
  prefix: string;
  /** Just outside `prefix`, so clearing the key space never deletes the claim on it. */
  lockKey: string;
}

const SEGMENT = 'sandbox';

/**
 * `<database>_sandbox` and `<REDIS_PREFIX>sandbox:`, plus a short hash of the prefix in the
 * database name when there is one, so sandboxes with different prefixes never share a
 * database. The sandbox prefix ends a configured prefix, which may not itself contain a
 * `sandbox:` part: then no sandbox's key space can contain another's, and clearing one's
 * keys can never reach into another's.
 */
export function sandboxSpace(base: Config): SandboxSpace {
  if (new RegExp(`(^|:)${SEGMENT}:`).test(base.REDIS_PREFIX)) {
    throw new ConfigError([
      `REDIS_PREFIX: must not contain a "${SEGMENT}:" part when the sandbox runs: it adds ` +
        'its own after the configured prefix',
    ]);
  }
  const url = new URL(base.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'tete';
  const tag = base.REDIS_PREFIX
    ? `_${createHash('sha256').update(base.REDIS_PREFIX).digest('hex').slice(0, 8)}`
    : '';
  const database = `${name}_${SEGMENT}${tag}`;
  url.pathname = `/${encodeURIComponent(database)}`;
  const server = new URL(url);
  server.pathname = '/postgres';
  return {
    database,
    databaseUrl: url.toString(),
    serverUrl: server.toString(),
    prefix: `${base.REDIS_PREFIX}${SEGMENT}:`,
    lockKey: `${base.REDIS_PREFIX}${SEGMENT}.lock`,
  };
}

async function dropDatabase(space: SandboxSpace): Promise<void> {
  const client = new pg.Client({ connectionString: space.serverUrl });
  await client.connect();
  try {
    await client.query(
      `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(space.database)} WITH (FORCE)`,
    );
  } finally {
    await client.end();
  }
}

/**
 * Claims the sandbox's space for this process (a second sandbox on it is refused, naming
 * this one) and empties it, so the same seed gives the same run. Only the sandbox's own
 * database and the keys under its own prefix are touched.
 * @throws SandboxBusyError when another sandbox holds the space; it is left as it is.
 */
export async function claimSandboxSpace(
  space: SandboxSpace,
  config: Config,
  log: Logger,
): Promise<SandboxLock> {
  const redis = createRedisClient({
    url: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    name: 'sandbox-claim',
    log,
  });
  const timeoutMs = config.STARTUP_TIMEOUT_SECONDS * 1000;
  try {
    // Redis first: when it is down, nothing has been claimed or dropped yet.
    await waitFor(() => connectRedis(redis), {
      service: 'Redis',
      where: redisWhere(config),
      timeoutMs,
      log,
    });
    let claim: SandboxLock | SandboxBusyError | undefined;
    // Only an unreachable server is worth retrying; a sandbox already running is not.
    await waitFor(
      async () => {
        claim = await lockSandbox({ ...space, redis, redisKey: space.lockKey }).catch(
          (error: unknown) => {
            if (error instanceof SandboxBusyError) return error;
            throw error;
          },
        );
      },
      { service: 'PostgreSQL', where: maskUrl(space.serverUrl), timeoutMs, log },
    );
    if (claim instanceof SandboxBusyError) throw claim;
    const lock = claim!;
    await dropDatabase(space);
    await deleteKeys(redis, `${space.prefix}*`);
    return {
      setPort: (port) => lock.setPort(port),
      async release() {
        await lock.release();
        redis.disconnect();
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

import type { Router } from '@koa/router';
import { sql, type DatabasePool } from 'slonik';
import type { RedisClient } from '../../redis/client.js';
import type { Registry } from 'prom-client';
import { outageCause } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { evictionProblem } from '../../startup/redis-policy.js';
import { createRouter } from '../route-access.js';

export interface HealthDeps {
  db: DatabasePool;
  redis: RedisClient;
  registry: Registry;
  /** Set once shutdown begins, so a load balancer stops sending new work. */
  isShuttingDown: () => boolean;
  /** Where a probe's full cause goes (addresses included) when it starts failing. */
  log?: Logger;
}

interface Probe {
  ok: boolean;
  latencyMs: number;
  /** Why it failed, without addresses: the endpoint is public. */
  error?: string;
}

/** A probe's check failed for a reason meant for the operator as written. */
class ProbeProblem extends Error {}

const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<unknown>): Promise<Probe & { cause?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error:
        error instanceof ProbeProblem
          ? message
          : (outageCause(error) ?? (message === 'timed out' ? message : 'failed')),
      cause: error,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies answer, and Redis is one it
 * may run on) and `/metrics`. All three are public (see docs/security.md): `/readyz` says
 * what failed but never where, and each probe's full cause goes to the log when it starts
 * failing.
 */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = createRouter();
  const failing = new Set<string>();
  const report = (name: string, result: Probe & { cause?: unknown }): Probe => {
    const { cause, ...shown } = result;
    if (!result.ok && !failing.has(name)) {
      // A problem of ours (the eviction policy) is its own explanation; an error needs its cause.
      const err = cause instanceof ProbeProblem ? undefined : cause;
      deps.log?.warn({ dependency: name, err, problem: result.error }, 'not ready');
    }
    if (result.ok) failing.delete(name);
    else failing.add(name);
    return shown;
  };
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [postgres, redis] = await Promise.all([
      probe(() => deps.db.query(sql.unsafe`SELECT 1`)).then((r) => report('postgres', r)),
      probe(async () => {
        await deps.redis.ping();
        const problem = await evictionProblem(deps.redis);
        if (problem) throw new ProbeProblem(problem);
      }).then((r) => report('redis', r)),
    ]);
    const ready = postgres.ok && redis.ok && !deps.isShuttingDown();
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : deps.isShuttingDown() ? 'shutting_down' : 'unavailable',
      postgres,
      redis,
    };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });
  return router;
}

import type { Router } from '@koa/router';
import { sql, type DatabasePool } from 'slonik';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createRouter } from '../route-access.js';

export interface HealthDeps {
  db: DatabasePool;
  redis: Redis;
  registry: Registry;
  /** Set once shutdown begins, so a load balancer stops sending new work. */
  isShuttingDown: () => boolean;
}

interface Probe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<unknown>): Promise<Probe> {
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
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process is alive), `/readyz` (its dependencies answer) and `/metrics`. */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = createRouter();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [postgres, redis] = await Promise.all([
      probe(() => deps.db.query(sql.unsafe`SELECT 1`)),
      probe(() => deps.redis.ping()),
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

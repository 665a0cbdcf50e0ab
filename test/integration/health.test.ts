import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { startApp, type App } from '../../src/app.js';
import { createHttpServer } from '../../src/api/server.js';
import { createHealthRouter } from '../../src/api/routes/health.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createDbPool } from '../../src/db/pool.js';
import { createLogger } from '../../src/logger.js';
import { StartupError } from '../../src/startup/wait-for.js';
import { prepareServices, testConfig, TEST_DB_URL } from '../helpers/services.js';

const log = createLogger('silent');

describe('health endpoints', () => {
  let app: App;
  let base: string;

  before(async () => {
    await prepareServices();
    app = await startApp({ config: testConfig({ ROLES: 'api' }), log });
    base = `http://127.0.0.1:${app.address.port}`;
  });
  after(() => app?.stop());

  it('GET /healthz answers 200 while the process lives', async () => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('GET /readyz reports PostgreSQL and Redis separately', async () => {
    const response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, { ok: boolean }>;
    assert.equal(body.status, 'ready');
    assert.equal(body.postgres?.ok, true);
    assert.equal(body.redis?.ok, true);
  });

  it('GET /metrics exposes the process metrics in Prometheus text format', async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^# TYPE sql_match_select_ms histogram$/m);
  });

  it('an unknown route is a JSON 404', async () => {
    const response = await fetch(`${base}/nope`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'not_found');
  });

  it('GET /readyz answers 503 and names Redis when Redis is unreachable', async () => {
    const db = await createDbPool({ url: TEST_DB_URL, size: 1 });
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const metrics = createMetrics();
    const http = createHttpServer({
      log,
      metrics,
      routers: [
        createHealthRouter({ db, redis, registry: metrics.registry, isShuttingDown: () => false }),
      ],
    });
    const address = await http.listen(0, '127.0.0.1');
    try {
      const response = await fetch(`http://127.0.0.1:${address.port}/readyz`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as Record<string, { ok: boolean; error?: string }>;
      assert.equal(body.postgres?.ok, true);
      assert.equal(body.redis?.ok, false);
      assert.ok(body.redis?.error);
      // The endpoint is public: what failed, never where.
      assert.doesNotMatch(JSON.stringify(body), /127\.0\.0\.1|localhost|redis:\/\//);
    } finally {
      await http.close();
      redis.disconnect();
      await db.end();
    }
  });

  it('start-up gives up on an unreachable Redis with a message naming it', async () => {
    await assert.rejects(
      startApp({
        config: testConfig({ REDIS_URL: 'redis://:pw@127.0.0.1:1', STARTUP_TIMEOUT_SECONDS: '1' }),
        log,
      }),
      (error: unknown) =>
        error instanceof StartupError &&
        /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 refused the connection/.test(error.message),
    );
  });

  it('start-up gives up on an unreachable PostgreSQL with a message naming it', async () => {
    await assert.rejects(
      startApp({
        config: testConfig({
          DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/tete',
          STARTUP_TIMEOUT_SECONDS: '1',
        }),
        log,
        migrate: true,
      }),
      (error: unknown) =>
        error instanceof StartupError &&
        /^PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/tete refused the connection/.test(
          error.message,
        ),
    );
  });
});

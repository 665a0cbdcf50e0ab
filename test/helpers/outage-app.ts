import { startApp, type App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { secretsOf } from '../../src/logger.js';
import { createBotApiEmulator, type BotApiEmulator } from '@tete/bot-api-emulator';
import { freePort } from '../../sim-kit/free-port.js';
import { TEST_API_TOKEN } from './app-harness.js';
import { createScratchDatabase } from './databases.js';
import { captureLogs, type LogCapture } from './log-capture.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { TEST_REDIS_PREFIX, testConfig } from './services.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let counter = 0;

export interface OutageAppOptions {
  botToken?: string;
  webhookSecret?: string;
  redisPassword?: string;
  dbPassword?: string;
  /** Extra redis-server settings, such as `--maxmemory-policy allkeys-lru`. */
  redisArgs?: string[];
  overrides?: Record<string, string>;
}

export interface OutageApp {
  app: App;
  config: Config;
  /** Base URL of the service's HTTP server. */
  url: string;
  webhookSecret: string;
  emulator: BotApiEmulator;
  /** The test's own redis-server, behind `redisLink`. */
  redis: PrivateRedis;
  /** Cut it and Redis is down for the service (with its data kept); restore it to end that. */
  redisLink: TcpProxy;
  /** The same for the shared PostgreSQL. */
  postgres: TcpProxy;
  logs: LogCapture;
  stop(): Promise<void>;
}

/**
 * The whole service in webhook mode whose PostgreSQL and Redis the test can take away: a
 * redis-server of its own and the shared PostgreSQL, each behind a proxy the test controls.
 * Logs are captured at debug level with production redaction.
 */
export async function startOutageApp(options: OutageAppOptions = {}): Promise<OutageApp> {
  counter += 1;
  const redis = await startPrivateRedis({
    password: options.redisPassword,
    args: options.redisArgs,
  });
  const redisLink = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
  const postgres = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  const database = new URL(await createScratchDatabase());
  database.port = String(postgres.port);
  if (options.dbPassword) database.password = options.dbPassword;
  const emulator = createBotApiEmulator({ token: options.botToken });
  await emulator.start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const webhookSecret = options.webhookSecret ?? 'outage-webhook-secret-0123456789';
  const config = testConfig({
    DATABASE_URL: database.toString(),
    REDIS_URL: redis.url.replace(`:${redis.port}`, `:${redisLink.port}`),
    REDIS_PREFIX: `${TEST_REDIS_PREFIX}outage${counter}:`,
    PORT: String(port),
    BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    WEBHOOK_URL: `${url}/telegram/webhook`,
    WEBHOOK_SECRET: webhookSecret,
    INTERNAL_API_TOKEN: TEST_API_TOKEN,
    OUTBOUND_CHAT_INTERVAL_MS: '0',
    SWEEP_INTERVAL_SECONDS: '1',
    ...options.overrides,
  });
  const logs = captureLogs('debug', secretsOf(config));
  const app = await startApp({ config, log: logs.log, botInfo: emulator.botInfo });
  return {
    app,
    config,
    url,
    webhookSecret,
    emulator,
    redis,
    redisLink,
    postgres,
    logs,
    async stop() {
      await postgres.restore();
      await redisLink.restore();
      // Closing BullMQ workers while their connections are still reconnecting can hang, so
      // stop once both dependencies answer again.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const ready = await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await app.stop();
      await emulator.stop();
      await redis.kill();
      await postgres.close();
      await redisLink.close();
    },
  };
}

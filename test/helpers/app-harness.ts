import { startApp, type App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import {
  createBotApiEmulator,
  type BotApiEmulator,
  type BotApiEmulatorOptions,
} from '@tete/bot-api-emulator';
import { createScratchDatabase } from './databases.js';
import { TEST_REDIS_PREFIX, testConfig } from './services.js';

let appCounter = 0;

export interface TestApp {
  app: App;
  emulator: BotApiEmulator;
  config: Config;
  /** Base URL of the app's HTTP server. */
  url: string;
  /** Stops the service only; the emulator, database and Redis keys stay. */
  stopApp(): Promise<void>;
  /** Starts the service again on the same database, Redis prefix and emulator. */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_API_TOKEN = 'test-internal-api-token';

/**
 * The whole service (every role) on a scratch database and its own Redis prefix, with the
 * Bot API emulator standing in for Telegram. Sends are not throttled unless overridden.
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  emulatorOptions: Pick<BotApiEmulatorOptions, 'floodLimit'> = {},
): Promise<TestApp> {
  const emulator = createBotApiEmulator({
    bot: { username: 'tete_test_bot', firstName: 'tete' },
    ...emulatorOptions,
  });
  await emulator.start();
  appCounter += 1;
  const config = testConfig({
    DATABASE_URL: await createScratchDatabase(),
    REDIS_PREFIX: `${TEST_REDIS_PREFIX}app${appCounter}:`,
    BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    INTERNAL_API_TOKEN: TEST_API_TOKEN,
    OUTBOUND_CHAT_INTERVAL_MS: '0',
    OUTBOUND_RATE_PER_SECOND: '1000',
    COMMAND_RATE_LIMIT_PER_MINUTE: '1000',
    FIND_RATE_LIMIT_PER_MINUTE: '1000',
    SWEEP_INTERVAL_SECONDS: '1',
    // Awake round the clock, so no test depends on the hour it runs at (the night rule holds
    // notices at night); the tests of nights set their own waking hours.
    WAKING_HOURS: '00:00-24:00',
    ...overrides,
  });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const start = () => startApp({ config, log, botInfo: emulator.botInfo });
  let app: App | undefined = await start();
  const running = () => {
    if (!app) throw new Error('the app is stopped');
    return app;
  };
  return {
    get app() {
      return running();
    },
    emulator,
    config,
    get url() {
      return `http://127.0.0.1:${running().address.port}`;
    },
    async stopApp() {
      await app?.stop();
      app = undefined;
    },
    async restartApp() {
      await app?.stop();
      app = await start();
    },
    async stop() {
      await app?.stop();
      app = undefined;
      await emulator.stop();
    },
  };
}

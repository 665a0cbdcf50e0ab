import { startApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createBotApiEmulator, type BotApiEmulator } from '../../src/emulator/index.js';
import { createScratchDatabase } from './databases.js';
import { TEST_REDIS_PREFIX, testConfig } from './services.js';

let appCounter = 0;

export interface TestApp {
  app: App;
  emulator: BotApiEmulator;
  /** Base URL of the app's HTTP server. */
  url: string;
  stop(): Promise<void>;
}

export const TEST_API_TOKEN = 'test-internal-api-token';

/**
 * The whole service (every role) on a scratch database and its own Redis prefix, with the
 * Bot API emulator standing in for Telegram. Sends are not throttled unless overridden.
 */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const emulator = createBotApiEmulator({ bot: { username: 'tete_test_bot', firstName: 'tete' } });
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
    ...overrides,
  });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = await startApp({ config, log, botInfo: emulator.botInfo });
  return {
    app,
    emulator,
    url: `http://127.0.0.1:${app.address.port}`,
    async stop() {
      await app.stop();
      await emulator.stop();
    },
  };
}

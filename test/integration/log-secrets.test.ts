import { strict as assert } from 'node:assert';
import { startApp, type App } from '../../src/app.js';
import { secretsOf } from '../../src/logger.js';
import {
  createBotApiEmulator,
  type BotApiEmulator,
  type EmulatedUser,
} from '../../src/emulator/index.js';
import { freePort } from '../helpers/app-harness.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { captureLogs, type LogCapture } from '../helpers/log-capture.js';
import { postApi } from '../helpers/match-api.js';
import { createUser } from '../helpers/matching-fixtures.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { TEST_REDIS_PREFIX, testConfig } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { postUpdate, textUpdate } from '../helpers/webhook-updates.js';

const SECRETS = {
  botToken: '7712345678:AAplantedBotTokenSecretHalf_0123456789abc',
  apiToken: 'planted-internal-api-token-5f1c9e',
  webhookSecret: 'planted_webhook_secret_7d2a4b',
  dbPassword: 'planted-db-password-3e8f',
  redisPassword: 'planted-redis-password-9c1d',
};
const PERSONAL = {
  text: 'planted message text: meet me by the old mill at 4417',
  firstName: 'Plantedfirstname',
  username: 'planted_username_31',
};

/**
 * Every failure of a bad day, with known secrets configured and a known message text in
 * flight: PostgreSQL down during an update, Redis down, Bot API errors, failing jobs. The
 * captured log lines must carry none of the secrets or personal data, in any spelling, and
 * must carry the causes.
 */
describe('logs under failure: no secrets, no message texts, every cause', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let redisLink: TcpProxy;
  let postgres: TcpProxy;
  let emulator: BotApiEmulator;
  let capture: LogCapture;
  let app: App | undefined;
  let base: string;
  let person: EmulatedUser;
  let updateId = 500_000_000;

  before(async () => {
    redis = await startPrivateRedis({ password: SECRETS.redisPassword });
    // Both dependencies "go down" behind a proxy, so they come back with their data (a
    // Redis that restarts empty is another story, repaired by the reconciler).
    redisLink = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    postgres = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const database = new URL(await createScratchDatabase());
    database.port = String(postgres.port);
    database.password = SECRETS.dbPassword;
    emulator = createBotApiEmulator({ token: SECRETS.botToken });
    await emulator.start();
    person = emulator.createUser({
      firstName: PERSONAL.firstName,
      username: PERSONAL.username,
      languageCode: 'en',
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = testConfig({
      DATABASE_URL: database.toString(),
      REDIS_URL: redis.url.replace(`:${redis.port}`, `:${redisLink.port}`),
      REDIS_PREFIX: `${TEST_REDIS_PREFIX}logs:`,
      PORT: String(port),
      BOT_TOKEN: SECRETS.botToken,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      WEBHOOK_URL: `${base}/telegram/webhook`,
      WEBHOOK_SECRET: SECRETS.webhookSecret,
      INTERNAL_API_TOKEN: SECRETS.apiToken,
      OUTBOUND_CHAT_INTERVAL_MS: '0',
      SWEEP_INTERVAL_SECONDS: '1',
    });
    capture = captureLogs('debug', secretsOf(config));
    app = await startApp({ config, log: capture.log, botInfo: emulator.botInfo });
  });

  after(async () => {
    await postgres?.restore();
    await redisLink?.restore();
    await app?.stop();
    await emulator?.stop();
    await redis?.kill();
    await postgres?.close();
    await redisLink?.close();
  });

  /** The person's message posted straight to the webhook, as Telegram would. */
  const post = (text: string) =>
    postUpdate(base, textUpdate((updateId += 1), person.user, text), SECRETS.webhookSecret);

  it('Bot API errors and the jobs they fail', async () => {
    emulator.failNext('sendMessage', { errorCode: 500 }, 1);
    emulator.failNext('sendMessage', {
      errorCode: 400,
      description: 'Bad Request: chat not found',
    });
    await person.start();
    await capture.waitFor((r) => r.msg === 'Bot API rejected a message');
    await capture.waitFor((r) => r.msg === 'job failed' && /chat not found/.test(String(r.reason)));
    await capture.waitFor(
      (r) => r.msg === 'job failed' && /Internal Server Error/.test(String(r.reason)),
    );
  });

  it('PostgreSQL down while an update with a message text is handled', async () => {
    await postgres.cut();
    const answer = await post(PERSONAL.text);
    assert.ok(answer.status >= 500, `Telegram must retry it: got ${answer.status}`);
    await postgres.restore();
    await capture.waitFor((r) => /ECONNREFUSED/.test(JSON.stringify(r.err ?? '')));
  });

  it('Redis down, for the webhook and the API', async () => {
    const user = await createUser(app!.deps.db, { topics: [1, 2] });
    await redisLink.cut();
    const update = await post(PERSONAL.text);
    assert.ok(update.status >= 500, `Telegram must retry it: got ${update.status}`);
    const api = await postApi(
      base,
      '/match/find',
      { user_id: user },
      { authorization: `Bearer ${SECRETS.apiToken}` },
    );
    assert.ok(api.status >= 500, `got ${api.status}`);
    await capture.waitFor((r) => r.msg === 'redis connection error');
    await redisLink.restore();
    // Back to normal: the person is answered again, through the outbound queue.
    const before = person.botMessages().length;
    await person.sendCommand('help');
    await person.waitForBotMessage(() => person.botMessages().length > before, {
      timeoutMs: 20_000,
    });
  });

  it('the captured lines hold none of the planted values and all of the causes', () => {
    const text = capture.text();
    const planted = [
      ...Object.values(SECRETS),
      SECRETS.botToken.split(':')[1]!,
      ...Object.values(PERSONAL),
    ];
    for (const value of planted) {
      for (const spelling of new Set([value, encodeURIComponent(value), JSON.stringify(value)])) {
        assert.ok(!text.includes(spelling), `the log carries ${spelling}`);
      }
    }
    assert.doesNotMatch(text, /"reason":"\[redacted\]"/, 'causes are not censored');
    const redisDown = capture.records().find((r) => r.msg === 'redis connection error');
    assert.match(JSON.stringify(redisDown), /ECONNREFUSED|connection refused/);
    assert.match(text, /ECONNREFUSED/, 'PostgreSQL refusing is named');
    assert.match(text, /Bot API 400: Bad Request: chat not found/);
  });
});

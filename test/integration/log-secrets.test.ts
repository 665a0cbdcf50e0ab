import { strict as assert } from 'node:assert';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { postApi } from '../helpers/match-api.js';
import { createUser } from '../helpers/matching-fixtures.js';
import { startOutageApp, type OutageApp } from '../helpers/outage-app.js';
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
  let t: OutageApp;
  let person: EmulatedUser;
  let updateId = 500_000_000;

  before(async () => {
    t = await startOutageApp({
      botToken: SECRETS.botToken,
      webhookSecret: SECRETS.webhookSecret,
      redisPassword: SECRETS.redisPassword,
      dbPassword: SECRETS.dbPassword,
      overrides: { INTERNAL_API_TOKEN: SECRETS.apiToken },
    });
    person = t.emulator.createUser({
      firstName: PERSONAL.firstName,
      username: PERSONAL.username,
      languageCode: 'en',
    });
  });
  after(() => t?.stop());

  /** The person's message posted straight to the webhook, as Telegram would. */
  const post = (text: string) =>
    postUpdate(t.url, textUpdate((updateId += 1), person.user, text), SECRETS.webhookSecret);

  it('Bot API errors and the jobs they fail', async () => {
    t.emulator.failNext('sendMessage', { errorCode: 500 }, 1);
    t.emulator.failNext('sendMessage', {
      errorCode: 400,
      description: 'Bad Request: chat not found',
    });
    await person.start();
    await t.logs.waitFor((r) => r.msg === 'Bot API rejected a message');
    await t.logs.waitFor((r) => r.msg === 'job failed' && /chat not found/.test(String(r.reason)));
    await t.logs.waitFor(
      (r) => r.msg === 'job failed' && /Internal Server Error/.test(String(r.reason)),
    );
  });

  it('PostgreSQL down while an update with a message text is handled', async () => {
    await t.postgres.cut();
    const answer = await post(PERSONAL.text);
    assert.ok(answer.status >= 500, `Telegram must retry it: got ${answer.status}`);
    await t.postgres.restore();
    await t.logs.waitFor((r) => /ECONNREFUSED/.test(JSON.stringify(r.err ?? '')));
  });

  it('Redis down, for the webhook and the API', async () => {
    const user = await createUser(t.app.deps.db, { topics: [1, 2] });
    await t.redisLink.cut();
    const update = await post(PERSONAL.text);
    assert.ok(update.status >= 500, `Telegram must retry it: got ${update.status}`);
    const api = await postApi(
      t.url,
      '/match/find',
      { user_id: user },
      { authorization: `Bearer ${SECRETS.apiToken}` },
    );
    assert.ok(api.status >= 500, `got ${api.status}`);
    await t.logs.waitFor((r) => r.msg === 'redis connection error');
    await t.redisLink.restore();
    // Back to normal: the person is answered again, through the outbound queue.
    const before = person.botMessages().length;
    await person.sendCommand('help');
    await person.waitForBotMessage(() => person.botMessages().length > before, {
      timeoutMs: 20_000,
    });
  });

  it('the captured lines hold none of the planted values and all of the causes', () => {
    const text = t.logs.text();
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
    const redisDown = t.logs.records().find((r) => r.msg === 'redis connection error');
    assert.match(JSON.stringify(redisDown), /ECONNREFUSED|connection refused/);
    assert.match(text, /ECONNREFUSED/, 'PostgreSQL refusing is named');
    assert.match(text, /Bot API 400: Bad Request: chat not found/);
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { createUser } from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { startOutageApp, type OutageApp } from '../helpers/outage-app.js';
import { postUpdate, textUpdate, type PostedUpdate } from '../helpers/webhook-updates.js';

function assertDeferred(answer: PostedUpdate) {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.match(String(answer.retryAfter), /^\d+$/, 'Retry-After says when to come back');
  assert.equal((answer.body as { error: { code: string } }).error.code, 'unavailable');
}

/**
 * A dependency outage is temporary: the API answers 503 `unavailable` with Retry-After, and
 * the webhook answers 503 so that Telegram delivers the update again later, when it is handled.
 * Nothing is a 500.
 */
describe('outages answer 503 with Retry-After, and the retry is handled', function () {
  this.timeout(120_000);
  let t: OutageApp;
  let person: EmulatedUser;
  let updateId = 600_000_000;

  before(async () => {
    t = await startOutageApp();
    person = t.emulator.createUser({ firstName: 'Olga', languageCode: 'en' });
    await person.start();
    await person.waitForBotMessage(() => true, { timeoutMs: 10_000 });
  });
  after(() => t?.stop());

  const api = async (path: string, body: unknown) => {
    const response = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.config.INTERNAL_API_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: await response.json(),
    };
  };
  const help = () => textUpdate((updateId += 1), person.user, '/help');
  const helpAnswers = () => person.botMessages().filter((m) => /\/find/.test(m.text ?? '')).length;

  it('PostgreSQL down: /match/find and the webhook answer 503; the retry is handled', async () => {
    const user = await createUser(t.app.deps.db, { topics: [1, 2] });
    const update = help();
    await t.postgres.cut();
    try {
      assertDeferred(await api('/match/find', { user_id: user }));
      assertDeferred(await postUpdate(t.url, update, t.webhookSecret));
    } finally {
      await t.postgres.restore();
    }
    const before = helpAnswers();
    assert.equal((await postUpdate(t.url, update, t.webhookSecret)).status, 200);
    await eventually(
      () => Promise.resolve(helpAnswers() > before),
      20_000,
      'the retried update is answered',
    );
    assert.deepEqual((await api('/match/find', { user_id: user })).body, { queued: true });
  });

  it('Redis out of memory: /match/confirm and the webhook answer 503', async () => {
    const { db } = t.app.deps;
    const [a, b] = [
      await createUser(db, { topics: [5, 6] }),
      await createUser(db, { topics: [5, 6] }),
    ];
    await api('/match/find', { user_id: a });
    await eventually(
      async () => {
        const states = await db.anyFirst(sql.type(z.object({ state: z.string() }))`
        SELECT state FROM searches WHERE user_id = ${a}`);
        return states.includes('waiting') || undefined;
      },
      20_000,
      'a waits',
    );
    await api('/match/find', { user_id: b });
    const matchId = await eventually(
      () =>
        db
          .maybeOneFirst(
            sql.type(z.object({ id: z.number() }))`
        SELECT id FROM matches WHERE user_a IN (${a}, ${b}) OR user_b IN (${a}, ${b})`,
          )
          .then((id) => id ?? undefined),
      20_000,
      'a proposal',
    );
    const admin = t.redis.client();
    await admin.config('SET', 'maxmemory', '1');
    const update = help();
    try {
      assertDeferred(
        await api('/match/confirm', { match_id: matchId, action: 'accept', user_id: a }),
      );
      assertDeferred(await postUpdate(t.url, update, t.webhookSecret));
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    assert.equal((await postUpdate(t.url, update, t.webhookSecret)).status, 200);
    const status = await api('/match/confirm', { match_id: matchId, action: 'accept', user_id: a });
    assert.equal(status.status, 200, JSON.stringify(status.body));
  });

  it('/readyz says which dependency is down and why, but not where (it is public)', async () => {
    const ready = async () => {
      const response = await fetch(`${t.url}/readyz`);
      return { status: response.status, text: await response.text() };
    };
    for (const link of [t.postgres, t.redisLink]) {
      await link.cut();
      try {
        const answer = await ready();
        assert.equal(answer.status, 503);
        assert.match(answer.text, /"ok":false,"latencyMs":\d+,"error":"[a-z ()]+"/);
        assert.doesNotMatch(answer.text, /127\.0\.0\.1|localhost|:\d{4,5}\b|ECONN/);
      } finally {
        await link.restore();
      }
    }
    await eventually(async () => (await ready()).status === 200, 20_000, 'ready again');
  });

  it('logs each outage with its cause, at warn, and never as a 500', () => {
    const records = t.logs.records();
    const deferred = records.filter((r) => String(r.msg).startsWith('request deferred'));
    assert.ok(deferred.length >= 4, `${deferred.length} deferred requests logged`);
    const causes = deferred.map((r) => String(r.cause)).join(' | ');
    assert.match(causes, /connection refused/);
    assert.match(causes, /out of memory/);
    assert.ok(!records.some((r) => r.msg === 'request failed'), 'no 500');
  });
});

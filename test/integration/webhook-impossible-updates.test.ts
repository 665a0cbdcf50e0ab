import { strict as assert } from 'node:assert';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startOutageApp, type OutageApp } from '../helpers/outage-app.js';
import { postUpdate, textUpdate } from '../helpers/webhook-updates.js';

type Body = Record<string, unknown>;

/**
 * Updates Telegram could not have sent (ids beyond the Bot API's ranges, missing fields) are
 * answered 200 and logged once: a 4xx or 5xx would make Telegram resend them for a day.
 */
describe('webhook: impossible updates are answered 200 and logged once', function () {
  this.timeout(60_000);
  let t: OutageApp;
  let person: EmulatedUser;
  let updateId = 700_000_000;

  before(async () => {
    t = await startOutageApp();
    person = t.emulator.createUser({ firstName: 'Ida', languageCode: 'en' });
    await person.start();
    await person.waitForBotMessage(() => true, { timeoutMs: 10_000 });
    // Until the answers to /start are all out, so the cases below count only their own.
    for (let seen = -1; seen !== t.emulator.calls('sendMessage').length;) {
      seen = t.emulator.calls('sendMessage').length;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  after(() => t?.stop());

  const valid = (): Body => textUpdate((updateId += 1), person.user, '/help') as unknown as Body;
  const message = (body: Body) => body.message as Body;
  const cases: [string, (body: Body) => unknown][] = [
    [
      'from.id 1e20',
      (b) => ({ ...b, message: { ...message(b), from: { ...person.user, id: 1e20 } } }),
    ],
    [
      'from.id beyond 52 bits',
      (b) => ({ ...b, message: { ...message(b), from: { ...person.user, id: 2 ** 53 } } }),
    ],
    [
      'a fractional from.id',
      (b) => ({ ...b, message: { ...message(b), from: { ...person.user, id: 1.5 } } }),
    ],
    [
      'chat.id as a string',
      (b) => ({
        ...b,
        message: { ...message(b), chat: { id: String(person.id), type: 'private' } },
      }),
    ],
    [
      'message_id beyond 32 bits',
      (b) => ({ ...b, message: { ...message(b), message_id: 2 ** 40 } }),
    ],
    ['a message without a chat', (b) => ({ ...b, message: { ...message(b), chat: undefined } })],
    [
      'a callback query without from',
      (b) => ({
        update_id: b.update_id,
        callback_query: { id: 'q1', chat_instance: 'c', data: 'x' },
      }),
    ],
    ['update_id beyond 32 bits', (b) => ({ ...b, update_id: 2 ** 40 })],
    ['a negative update_id', (b) => ({ ...b, update_id: -5 })],
    ['no update_id', (b) => ({ message: b.message })],
  ];

  for (const [label, spoil] of cases) {
    it(label, async () => {
      const body = spoil(valid()) as Body;
      const sentBefore = t.emulator.calls('sendMessage').length;
      const logsBefore = t.logs.records().length;
      for (let delivery = 0; delivery < 3; delivery += 1) {
        const answer = await postUpdate(t.url, body, t.webhookSecret);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(t.emulator.calls('sendMessage').length, sentBefore, 'nothing was handled');
      const logged = t.logs.records().slice(logsBefore);
      const warnings = logged.filter((r) => r.msg === 'impossible update ignored');
      const id = Number.isInteger(body.update_id) && (body.update_id as number) >= 0;
      const once = id && (body.update_id as number) < 2 ** 31;
      assert.equal(warnings.length, once ? 1 : 3, JSON.stringify(logged));
      assert.ok(!logged.some((r) => (r.level as number) >= 50), 'nothing at error level');
      assert.ok(!JSON.stringify(logged).includes(String(person.user.first_name)));
    });
  }

  it('a valid update is still handled', async () => {
    const before = t.emulator.calls('sendMessage').length;
    assert.equal((await postUpdate(t.url, valid(), t.webhookSecret)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.ok(t.emulator.calls('sendMessage').length > before);
  });
});

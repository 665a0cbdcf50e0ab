import { strict as assert } from 'node:assert';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { countMessages, expectMessage, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/**
 * The outbound queue with production throttling (1 message a second per chat) against
 * transient Bot API failures: a 5xx and a dropped connection are retried with backoff and the
 * message arrives once; a 400 is given up at once; messages to one chat keep their order and
 * spacing.
 */
describe('outbound delivery: throttling and retries', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    // No burst: with OUTBOUND_CHAT_BURST=2 a chat idle for a second may get two messages at
    // once, so the spacing below would depend on how long ago onboarding ended.
    t = await startTestApp({ OUTBOUND_CHAT_INTERVAL_MS: '1000', OUTBOUND_CHAT_BURST: '1' });
  });
  after(() => t?.stop());

  const helpCalls = (chatId: number) =>
    t.emulator.calls(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.chat_id === chatId &&
        /^Команды:/.test(String(call.params.text)),
    );

  it('spaces messages to one chat by about a second and keeps their order', async () => {
    const ann = await onboard(t.emulator, { firstName: 'Ann', topics: [1, 2], timeoutMs: 20_000 });
    await ann.sendCommand('help');
    await ann.sendCommand('cancel');
    await ann.sendCommand('help');
    await eventually(() => countMessages(ann, /^Команды:/) === 2, 20_000, 'two help messages');
    const sends = t.emulator.calls(
      (call) => call.method === 'sendMessage' && call.params.chat_id === ann.id && call.ok,
    );
    const last3 = sends.slice(-3);
    assert.deepEqual(
      last3.map((call) => String(call.params.text).slice(0, 8)),
      ['Команды:', 'Поиск и ', 'Команды:'],
    );
    for (let i = 1; i < last3.length; i += 1) {
      assert.ok(last3[i]!.at - last3[i - 1]!.at >= 900, 'at most one message a second per chat');
    }
  });

  it('retries a 5xx and a dropped connection, then delivers once', async () => {
    const bo = await onboard(t.emulator, { firstName: 'Bo', topics: [3, 4], timeoutMs: 20_000 });
    t.emulator.failNext('sendMessage', { errorCode: 502 });
    t.emulator.failNext('sendMessage', { dropConnection: true });
    await bo.sendCommand('help');
    await expectMessage(bo, /^Команды:/, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(countMessages(bo, /^Команды:/), 1);
    const outcomes = helpCalls(bo.id).map((call) => call.errorCode ?? (call.ok ? 'ok' : 'dropped'));
    assert.equal(outcomes.at(-1), 'ok');
    assert.ok(outcomes.includes(502));
  });

  it('an edit or a reply queued before its original waits for it, then applies', async () => {
    const di = await onboard(t.emulator, { firstName: 'Di', topics: [7, 8], timeoutMs: 20_000 });
    const { outbound } = t.app.deps.services;
    const base = { chatId: di.id, userId: undefined };
    await outbound.enqueue({
      ...base,
      key: 'early-edit',
      method: 'editMessageText',
      messageRef: 'late-original',
      payload: { text: 'после правки' },
    });
    await outbound.enqueue({
      ...base,
      key: 'early-reply',
      method: 'sendMessage',
      replyToRef: 'late-original',
      payload: { text: 'ответ' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await outbound.enqueue({
      ...base,
      key: 'late-original',
      method: 'sendMessage',
      payload: { text: 'до правки' },
    });
    const original = await di.waitForBotMessage((m) => m.text === 'после правки', {
      timeoutMs: 30_000,
      since: 'beginning',
    });
    const reply = await di.waitForBotMessage((m) => m.text === 'ответ', {
      timeoutMs: 30_000,
      since: 'beginning',
    });
    assert.equal(reply.reply_to_message?.message_id, original.message_id);
  });

  it('gives up at once on a 400 the Bot API will never accept', async () => {
    const cy = await onboard(t.emulator, { firstName: 'Cy', topics: [5, 6], timeoutMs: 20_000 });
    t.emulator.failNext('sendMessage', {
      errorCode: 400,
      description: 'Bad Request: chat not found',
    });
    await cy.sendCommand('help');
    await eventually(() => helpCalls(cy.id).length >= 1, 20_000, 'the attempt');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(helpCalls(cy.id).length, 1, 'not retried');
    assert.equal(countMessages(cy, /^Команды:/), 0);
  });

  it('a job left without its data (Redis lost its keys under a worker) does not block its key', async () => {
    const cy = await onboard(t.emulator, { firstName: 'Cy', topics: [5, 6], timeoutMs: 20_000 });
    const { services, queues, redis } = t.app.deps;
    const key = 'husk-test-1';
    // What a worker leaves when it takes a job whose hash was deleted: a hash without data.
    await redis.hset(queues.outbound.toKey(key), 'processedOn', Date.now(), 'atm', 1);
    await services.outbound.enqueue({
      key,
      chatId: cy.id,
      method: 'sendMessage',
      payload: { text: 'after the husk' },
    });
    await expectMessage(cy, /^after the husk$/, 20_000);
  });
});

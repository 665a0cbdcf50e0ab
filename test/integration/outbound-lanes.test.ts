import { strict as assert } from 'node:assert';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/**
 * The outbound queue's lanes: a proposal does not wait in its chat behind a notice that is
 * held up, and relayed chat messages keep the order they were written in, whatever else
 * goes to the same chat meanwhile.
 */
describe('outbound lanes: proposals first, chat messages in order', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const deliveredTexts = (user: EmulatedUser) =>
    t.emulator
      .calls((call) => call.method === 'sendMessage' && call.params.chat_id === user.id && call.ok)
      .map((call) => String(call.params.text));

  it('a proposal overtakes a rating prompt queued before it in the same chat', async () => {
    const ann = await onboard(t.emulator, { firstName: 'Ann', topics: [1, 2] });
    const { outbound } = t.app.deps.services;
    const base = { chatId: ann.id, userId: undefined };
    // A notice that cannot go yet (it edits a message not sent yet) holds up the notices
    // queued after it in this chat, as a message in its retry backoff would.
    await outbound.enqueue({
      ...base,
      key: 'lanes-held-edit',
      method: 'editMessageText',
      messageRef: 'lanes-not-sent-yet',
      payload: { text: 'правка' },
    });
    await outbound.enqueue({
      ...base,
      key: 'lanes-rating-prompt',
      lane: 'notice',
      method: 'sendMessage',
      payload: { text: 'Оцените разговор' },
    });
    await outbound.enqueue({
      ...base,
      key: 'lanes-proposal',
      lane: 'search',
      method: 'sendMessage',
      payload: { text: 'Нашёлся собеседник' },
    });
    await eventually(
      () => deliveredTexts(ann).includes('Нашёлся собеседник'),
      10_000,
      'the proposal',
    );
    // The rating prompt still waits for its turn (up to the sender's order wait), and then
    // goes: held up, not lost.
    assert.equal(deliveredTexts(ann).includes('Оцените разговор'), false);
    await eventually(
      () => deliveredTexts(ann).includes('Оцените разговор'),
      20_000,
      'the rating prompt',
    );
    const texts = deliveredTexts(ann);
    assert.ok(texts.indexOf('Нашёлся собеседник') < texts.indexOf('Оцените разговор'));
  });

  it('relayed messages keep their order among themselves while other lanes go too', async () => {
    const bo = await onboard(t.emulator, { firstName: 'Bo', topics: [3, 4] });
    const { outbound } = t.app.deps.services;
    const lines = Array.from({ length: 12 }, (_, i) => `строка ${i + 1}`);
    for (const [i, line] of lines.entries()) {
      await outbound.enqueue({
        chatId: bo.id,
        key: `lanes-relay-${i}`,
        lane: 'chat',
        method: 'sendMessage',
        payload: { text: line },
      });
      if (i % 3 === 0) {
        await outbound.enqueue({
          chatId: bo.id,
          key: `lanes-search-${i}`,
          lane: 'search',
          method: 'sendMessage',
          payload: { text: `поиск ${i}` },
        });
      }
    }
    await eventually(
      () => lines.every((line) => deliveredTexts(bo).includes(line)),
      20_000,
      'every relayed line',
    );
    assert.deepEqual(
      deliveredTexts(bo).filter((text) => text.startsWith('строка')),
      lines,
    );
  });
});

import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/**
 * A chat session through the real bot: every kind of message is copied (no "forwarded
 * from"), edits and replies are mirrored, the "End chat" button ends it for both, and ratings
 * move helpfulness.
 */
/** The reply keyboard, the same in and out of a chat. */
const BOTH_BUTTONS = '[[{"text":"Найти собеседника"},{"text":"Закончить чат"}]]';

describe('e2e: chat sessions', function () {
  this.timeout(90_000);
  let t: TestApp;
  let alice: EmulatedUser;
  let bob: EmulatedUser;
  let matchId: number;

  before(async () => {
    t = await startTestApp();
    alice = await onboard(t.emulator, { firstName: 'Alice', topics: [12, 13] });
    bob = await onboard(t.emulator, { firstName: 'Bob', topics: [12, 13] });
    matchId = await matchPair(alice, bob);
  });
  after(() => t?.stop());

  const received = (user: EmulatedUser, predicate: (m: Message) => boolean) =>
    user.waitForBotMessage(predicate, { timeoutMs: 10_000, since: 'beginning' });

  it('both get the intro with the partner’s name and shared topics, and the rules', async () => {
    await expectMessage(
      alice,
      /Чат открыт! Ваш собеседник — Bob\.\nОбщие темы: Дизайн, Фотография/,
    );
    // One message: who the partner is and the rules, with the reply keyboard.
    await expectMessage(
      bob,
      /^Чат открыт! Ваш собеседник — Alice[\s\S]*Правила tete:[\s\S]*\/report/,
    );
    await eventually(
      () => JSON.stringify(bob.replyKeyboard()?.keyboard) === BOTH_BUTTONS,
      10_000,
      'the reply keyboard',
    );
  });

  it('relays text, photo, voice, sticker and document as copies', async () => {
    await alice.sendText('Привет, Боб!');
    const text = await received(bob, (m) => m.text === 'Привет, Боб!');
    assert.equal(text.forward_origin, undefined);
    assert.equal(text.from?.is_bot, true, 'the copy comes from the bot, not as a forward');

    await alice.sendPhoto({ caption: 'закат' });
    await bob.sendVoice();
    await alice.sendSticker();
    await bob.sendDocument({ caption: 'план' });
    const photo = await received(bob, (m) => m.photo !== undefined);
    assert.equal(photo.caption, 'закат');
    await received(alice, (m) => m.voice !== undefined);
    await received(bob, (m) => m.sticker !== undefined);
    const doc = await received(alice, (m) => m.document !== undefined);
    assert.equal(doc.caption, 'план');
    for (const m of [photo, doc]) assert.equal(m.forward_origin, undefined);
  });

  it('mirrors an edit of a relayed text on the partner’s copy', async () => {
    const original = await alice.sendText('Встречаемся в 7');
    const copy = await received(bob, (m) => m.text === 'Встречаемся в 7');
    await alice.editText(original.message_id, 'Встречаемся в 8');
    await received(bob, (m) => m.message_id === copy.message_id && m.text === 'Встречаемся в 8');
    assert.equal(bob.messages().filter((m) => m.text?.startsWith('Встречаемся')).length, 1);
  });

  it('shows replies as replies on the other side, in both directions', async () => {
    const question = await alice.sendText('Какой твой любимый фильм?');
    const copy = await received(bob, (m) => m.text === 'Какой твой любимый фильм?');
    // The sender links the copy to its original right after Telegram confirms it; a person
    // cannot reply faster than that, a test can.
    const { redis, keys } = t.app.deps;
    await eventually(
      async () => (await redis.hexists(keys.relayOrigin(bob.id), String(copy.message_id))) === 1,
    );
    // Bob replies to the copy he sees: Alice sees a reply to her own original.
    await bob.replyTo(copy.message_id, 'Сталкер');
    const answer = await received(alice, (m) => m.text === 'Сталкер');
    assert.equal(answer.reply_to_message?.message_id, question.message_id);
    // Alice replies to her own earlier message: Bob sees a reply to his copy of it.
    await alice.replyTo(question.message_id, 'А сериал?');
    const followUp = await received(bob, (m) => m.text === 'А сериал?');
    assert.equal(followUp.reply_to_message?.message_id, copy.message_id);
  });

  it('refuses a new search during the chat', async () => {
    const busy = /Вы сейчас в чате\. Чтобы начать новый поиск, закончите его: \/end\./;
    await bob.sendCommand('find');
    await expectMessage(bob, busy);
    const before = bob.botMessages().filter((m) => busy.test(m.text ?? '')).length;
    await bob.pressKeyboardButton('Найти собеседника');
    await eventually(
      () => bob.botMessages().filter((m) => busy.test(m.text ?? '')).length === before + 1,
      10_000,
      'the button refused too',
    );
  });

  it('"End chat" ends it for both, asks for a rating, and the rating moves helpfulness', async () => {
    await bob.pressKeyboardButton('Закончить чат');
    await expectMessage(bob, /^Вы закончили чат\.\nБыл ли разговор полезен\?/, 10_000);
    // The end of the chat and the rating prompt are one message.
    const prompt = await received(
      alice,
      (m) =>
        /^Собеседник закончил чат\.\nБыл ли разговор полезен\?/.test(m.text ?? '') &&
        alice
          .inlineButtons(m)
          .some((b) => 'callback_data' in b && b.callback_data === `rate:${matchId}:2`),
    );
    const query = await alice.pressButton(prompt.message_id, `rate:${matchId}:2`);
    // Thanked by the button's answer, not by an edit.
    assert.equal((await alice.waitForCallbackAnswer(query, 10_000)).text, 'Спасибо за оценку! ★★');
    const helpfulness = await t.app.deps.db.oneFirst(sql.type(z.object({ h: z.number() }))`
      SELECT helpfulness AS h FROM users WHERE tg_id = ${bob.id}`);
    assert.ok(helpfulness < 0.5, 'a 2 lowers the partner’s helpfulness');
    // Messages after the end are not relayed; the keyboard offers a new search again.
    await alice.sendText('ещё тут?');
    await expectMessage(alice, /Вы сейчас не в чате/);
    assert.equal(
      bob.messages().some((m) => m.text === 'ещё тут?'),
      false,
    );
    await alice.pressKeyboardButton('Найти собеседника');
    await expectMessage(alice, /Ищу вам собеседника/);
  });
});

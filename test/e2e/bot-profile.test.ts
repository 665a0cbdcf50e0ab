import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectButton, expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/**
 * Onboarding edge cases, /profile editing, time zones typed by name or offset, /lang, an
 * English-speaking user, and the idle timeout of a chat (CHAT_IDLE_HOURS set to 2 seconds).
 */
describe('e2e: profile, language and onboarding', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ CHAT_IDLE_HOURS: String(2 / 3600) });
  });
  after(() => t?.stop());

  const tzOf = (user: EmulatedUser) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ tz: z.string() }))`
      SELECT tz FROM users WHERE tg_id = ${user.id}`);
  const next = (user: EmulatedUser, pattern: RegExp) =>
    user.waitForBotMessage((m: Message) => pattern.test(m.text ?? ''), { timeoutMs: 10_000 });

  it('/find with an incomplete profile answers with the sprint message and queues nothing', async () => {
    const { db, redis, keys } = t.app.deps;
    const user = t.emulator.createUser({ id: 7_100_000_001, firstName: 'Ann', languageCode: 'ru' });
    await user.start();
    const rules = await expectButton(user, /^rules:accept$/);
    assert.match(
      rules.text ?? '',
      /Уважайте[\s\S]*спама[\s\S]*личные данные[\s\S]*\/end[\s\S]*\/report/,
    );
    await user.sendCommand('find');
    await expectMessage(user, /Сначала примите правила/);
    await user.pressButton(rules.message_id, 'rules:accept');
    const picker = await expectButton(user, /^topics:done$/);
    // "Done" with fewer than two topics only explains.
    await user.pressButton(picker.message_id, 'topic:1');
    const query = await user.pressButton(picker.message_id, 'topics:done');
    assert.match((await user.waitForCallbackAnswer(query, 10_000)).text ?? '', /хотя бы две/);
    await user.sendCommand('find');
    await expectMessage(user, /^Добавьте минимум 2 темы в профиле: \/profile$/);
    const searches = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM searches s JOIN users u ON u.id = s.user_id
      WHERE u.tg_id = ${user.id}`);
    assert.equal(searches, 0);
    const entries = await redis.xrange(keys.matchFind, '-', '+');
    assert.equal(entries.length, 0);
  });

  it('takes a typed IANA name or UTC offset, and rejects nonsense', async () => {
    const bea = await onboard(t.emulator, { firstName: 'Bea', topics: [1, 2] });
    await bea.sendCommand('profile');
    const card = await expectButton(bea, /^profile:tz$/);
    assert.match(
      card.text ?? '',
      /Темы: Книги, Кино\nЧасовой пояс: Europe\/Moscow\nРейтинг: пока нет оценок/,
    );
    await bea.pressButton(card.message_id, 'profile:tz');
    const zones = await next(bea, /Ваш часовой пояс\?/);
    assert.ok(bea.inlineButtons(zones).some((b) => b.text === '✅ Europe/Moscow'));
    await bea.sendText('Марс/Олимп');
    await next(bea, /Не понял часовой пояс/);
    await bea.sendText('asia/tokyo');
    await next(bea, /Часовой пояс: Asia\/Tokyo/);
    assert.equal(await tzOf(bea), 'Asia/Tokyo');
    await bea.pressButton(card.message_id, 'profile:tz');
    await next(bea, /Ваш часовой пояс\?/);
    await bea.sendText('UTC+5:30');
    await next(bea, /Часовой пояс: Asia\/Kolkata/);
    await bea.pressButton(card.message_id, 'profile:tz');
    await next(bea, /Ваш часовой пояс\?/);
    await bea.sendText('GMT-3');
    await next(bea, /Часовой пояс: Etc\/GMT\+3/);
    assert.equal(await tzOf(bea), 'Etc/GMT+3');
    // Not expecting a zone any more: plain text is not taken as one.
    await bea.sendText('Europe/Paris');
    await next(bea, /Вы сейчас не в чате/);
    assert.equal(await tzOf(bea), 'Etc/GMT+3');
  });

  it('/profile edits topics in place without asking for the zone again', async () => {
    const cid = await onboard(t.emulator, { firstName: 'Cid', topics: [3, 4] });
    await cid.sendCommand('profile');
    const card = await expectButton(cid, /^profile:topics$/);
    await cid.pressButton(card.message_id, 'profile:topics');
    const picker = await expectButton(cid, /^topics:save$/);
    assert.ok(cid.inlineButtons(picker).some((b) => b.text === '✅ Сериалы'));
    await cid.pressButton(picker.message_id, 'topic:3:p');
    await cid.pressButton(picker.message_id, 'topic:5:p');
    await cid.waitForBotMessage(
      (m) =>
        m.message_id === picker.message_id &&
        cid.inlineButtons(m).some((b) => b.text === '✅ Путешествия'),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    await cid.pressButton(picker.message_id, 'topics:save');
    await next(cid, /Темы сохранены: Музыка, Путешествия/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Onboarding's one zone question (answered, it now shows the zone), and no second one.
    const zoneQuestions = cid
      .botMessages()
      .filter((m) => /^(Ваш )?[Чч]асовой пояс/.test(m.text ?? ''));
    assert.equal(zoneQuestions.length, 1);
    await cid.sendCommand('profile');
    await next(cid, /Темы: Музыка, Путешествия/);
  });

  it('/lang switches every later text, the keyboard and the command menu exists in both', async () => {
    const dan = await onboard(t.emulator, { firstName: 'Dan', topics: [6, 7] });
    await dan.sendCommand('lang');
    const picker = await expectButton(dan, /^lang:en$/);
    await dan.pressButton(picker.message_id, 'lang:en');
    await next(dan, /^Language: English\.$/);
    await eventually(
      () =>
        JSON.stringify(dan.replyKeyboard()?.keyboard) ===
        '[[{"text":"Find a partner"},{"text":"End chat"}]]',
      10_000,
      'the English keyboard',
    );
    await dan.pressKeyboardButton('Find a partner');
    await next(dan, /Looking for a partner… this can take up to a minute\./);
    await dan.sendCommand('cancel');
    await next(dan, /Search stopped/);
    const menus = t.emulator.calls('setMyCommands').map((call) => call.params.language_code);
    assert.ok(menus.includes('ru') && menus.includes('en'));
  });

  it('an English-speaking user gets English texts from the start', async () => {
    const eli = await onboard(t.emulator, { firstName: 'Eli', languageCode: 'en', topics: [8, 9] });
    const texts = eli.botMessages().map((m) => m.text ?? '');
    assert.ok(texts.some((text) => /^Hi, Eli!/.test(text)));
    assert.ok(texts.some((text) => /Rules of tete/i.test(text)));
    assert.ok(texts.every((text) => !/[А-Яа-я]/.test(text.replace('Язык', ''))));
    await eli.sendCommand('profile');
    await next(eli, /Your profile\nTopics: Running, Fitness\nTime zone: Europe\/London/);
  });

  it('a chat silent for longer than CHAT_IDLE_HOURS ends by itself', async () => {
    const fay = await onboard(t.emulator, { firstName: 'Fay', topics: [10, 11] });
    const gil = await onboard(t.emulator, { firstName: 'Gil', topics: [10, 11] });
    await matchPair(fay, gil);
    await expectMessage(fay, /Чат закончился: долго не было сообщений/, 20_000);
    await expectMessage(gil, /Чат закончился: долго не было сообщений/, 20_000);
    await expectMessage(gil, /Был ли разговор полезен\?/, 10_000);
  });
});

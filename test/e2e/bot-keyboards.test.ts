import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { expectButton, expectProposal, matchPair, onboard } from '../helpers/telegram-users.js';

let nextId = 7_200_000_000;

/**
 * Keyboards and questions after they are answered, in both languages: a question's buttons
 * go (or show the choice) once it is answered, nothing is ticked before a choice, and a
 * redrawn message keeps its first line.
 */
describe('e2e: keyboards after an answer', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const tzOf = (user: EmulatedUser) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ tz: z.string() }))`
      SELECT tz FROM users WHERE tg_id = ${user.id}`);

  /** The message as the user sees it now (after any edits). */
  const current = (user: EmulatedUser, id: number) =>
    user.messages().find((m) => m.message_id === id);

  /** Waits until message `id` in the user's chat passes `check`. */
  const until = (user: EmulatedUser, id: number, check: (m: Message) => boolean) =>
    user.waitForBotMessage((m) => m.message_id === id && check(m), {
      timeoutMs: 10_000,
      since: 'beginning',
    });

  /** A redraw of message `before`: its buttons changed. */
  const redrawOf = (user: EmulatedUser, before: Message) =>
    until(
      user,
      before.message_id,
      (m) => JSON.stringify(m.reply_markup) !== JSON.stringify(before.reply_markup),
    );

  /** /start, "I agree", two topics and "Done": resolves with the time-zone prompt. */
  async function toTimeZonePrompt(languageCode: 'ru' | 'en', topics: readonly number[]) {
    nextId += 1;
    const user = t.emulator.createUser({ id: nextId, firstName: 'Tess', languageCode });
    await user.start();
    const rules = await expectButton(user, /^rules:accept$/);
    await user.pressButton(rules.message_id, 'rules:accept');
    const picker = await expectButton(user, /^topics:done$/);
    for (const topic of topics) {
      const before = current(user, picker.message_id)!;
      await user.pressButton(picker.message_id, `topic:${topic}`);
      await redrawOf(user, before);
    }
    await user.pressButton(picker.message_id, 'topics:done');
    return { user, prompt: await expectButton(user, /^tz:/) };
  }

  for (const [language, chosen, fallback] of [
    ['en', 'Europe/Berlin', 'Europe/London'],
    ['ru', 'Asia/Novosibirsk', 'Europe/Moscow'],
  ] as const) {
    it(`${language}: the zone prompt ticks nothing before a choice and shows the choice after`, async () => {
      const { user, prompt } = await toTimeZonePrompt(language, [12, 13]);
      const ticked = user.inlineButtons(prompt).filter((b) => b.text.startsWith('✅'));
      assert.deepEqual(ticked, [], `nothing ticked, not even ${fallback}`);
      assert.ok(user.inlineButtons(prompt).some((b) => b.text === chosen));

      await user.pressButton(prompt.message_id, `tz:${chosen}`);
      const after = await until(user, prompt.message_id, (m) => m.text !== prompt.text);
      assert.ok((after.text ?? '').includes(chosen), after.text);
      assert.deepEqual(user.inlineButtons(after), [], 'no zone button acts any more');
      assert.equal(await tzOf(user), chosen);
    });
  }

  it('a typed zone takes the prompt buttons away too', async () => {
    const { user, prompt } = await toTimeZonePrompt('en', [14, 15]);
    await user.sendText('Asia/Tokyo');
    const after = await until(user, prompt.message_id, (m) => user.inlineButtons(m).length === 0);
    assert.match(after.text ?? '', /Your time zone\?/, 'the question stays readable');
    await user.waitForBotMessage((m) => /profile is ready/.test(m.text ?? ''), {
      timeoutMs: 10_000,
      since: 'beginning',
    });
    assert.equal(await tzOf(user), 'Asia/Tokyo');
  });

  it('from /profile the zone chosen before is ticked, and the new choice replaces it', async () => {
    const user = await onboard(t.emulator, {
      firstName: 'Pia',
      languageCode: 'en',
      topics: [16, 17],
      timeZone: 'Europe/Berlin',
    });
    await user.sendCommand('profile');
    const card = await expectButton(user, /^profile:tz$/);
    await user.pressButton(card.message_id, 'profile:tz');
    const prompt = await user.waitForBotMessage(
      (m) => m.message_id > card.message_id && /Your time zone\?/.test(m.text ?? ''),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    const ticked = user.inlineButtons(prompt).filter((b) => b.text.startsWith('✅'));
    assert.deepEqual(
      ticked.map((b) => b.text),
      ['✅ Europe/Berlin'],
    );
    await user.pressButton(prompt.message_id, 'tz:Europe/London');
    const after = await until(user, prompt.message_id, (m) => /Europe\/London/.test(m.text ?? ''));
    assert.deepEqual(user.inlineButtons(after), []);
    assert.equal(await tzOf(user), 'Europe/London');
  });

  for (const [language, intro] of [
    ['en', 'Thank you! Now pick your topics: at least two.'],
    ['ru', 'Спасибо! Теперь выберите темы — минимум две.'],
  ] as const) {
    it(`${language}: the topic picker keeps its first line after every tap`, async () => {
      nextId += 1;
      const user = t.emulator.createUser({ id: nextId, firstName: 'Toby', languageCode: language });
      await user.start();
      const rules = await expectButton(user, /^rules:accept$/);
      await user.pressButton(rules.message_id, 'rules:accept');
      const picker = await expectButton(user, /^topics:done$/);
      assert.equal(picker.text?.split('\n')[0], intro);
      for (const topic of [1, 2, 1]) {
        const before = current(user, picker.message_id)!;
        await user.pressButton(picker.message_id, `topic:${topic}`);
        const redrawn = await redrawOf(user, before);
        assert.equal(redrawn.text?.split('\n')[0], intro, `after tapping topic ${topic}`);
      }
    });
  }

  it('the picker opened from /profile keeps its first line too', async () => {
    const user = await onboard(t.emulator, {
      firstName: 'Uma',
      languageCode: 'en',
      topics: [18, 19],
    });
    await user.sendCommand('profile');
    const card = await expectButton(user, /^profile:topics$/);
    await user.pressButton(card.message_id, 'profile:topics');
    const picker = await expectButton(user, /^topics:save$/);
    assert.equal(picker.text?.split('\n')[0], 'Edit topics');
    await user.pressButton(picker.message_id, 'topic:20:p');
    const redrawn = await redrawOf(user, picker);
    assert.equal(redrawn.text?.split('\n')[0], 'Edit topics');
  });

  for (const [from, to, saved] of [
    ['ru', 'en', 'English'],
    ['en', 'ru', 'Русский'],
  ] as const) {
    it(`/lang from ${from}: the language question loses its buttons and shows the choice`, async () => {
      const user = await onboard(t.emulator, {
        firstName: 'Lev',
        languageCode: from,
        topics: [21, 22],
      });
      await user.sendCommand('lang');
      const picker = await expectButton(user, new RegExp(`^lang:${to}$`));
      await user.pressButton(picker.message_id, `lang:${to}`);
      const after = await until(user, picker.message_id, (m) => m.text !== picker.text);
      assert.ok((after.text ?? '').includes(`✅ ${saved}`), after.text);
      assert.deepEqual(user.inlineButtons(after), []);
    });
  }

  it('"I agree" pressed on two copies of the rules opens one topic picker', async () => {
    nextId += 1;
    const user = t.emulator.createUser({ id: nextId, firstName: 'Rae', languageCode: 'en' });
    await user.start();
    const first = await expectButton(user, /^rules:accept$/);
    await user.sendCommand('start');
    const second = await user.waitForBotMessage(
      (m) => m.message_id > first.message_id && user.inlineButtons(m).length > 0,
      { timeoutMs: 10_000, since: 'beginning' },
    );
    await user.pressButton(first.message_id, 'rules:accept');
    await expectButton(user, /^topics:done$/);
    const query = await user.pressButton(second.message_id, 'rules:accept');
    await user.waitForCallbackAnswer(query, 10_000);
    await until(user, second.message_id, (m) => user.inlineButtons(m).length === 0);
    // Give a second picker, were one queued, time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pickers = user.botMessages().filter((m) => /^Thank you! Now pick/.test(m.text ?? ''));
    assert.equal(pickers.length, 1);
  });

  const hasEndChat = (user: EmulatedUser) =>
    (user.replyKeyboard()?.keyboard ?? [])
      .flat()
      .some((button) => (typeof button === 'string' ? button : button.text) === 'End chat');

  it('changing the zone during a chat keeps "End chat" and says nothing of "Find"', async () => {
    const ada = await onboard(t.emulator, {
      firstName: 'Ada',
      languageCode: 'en',
      topics: [23, 24],
    });
    const ben = await onboard(t.emulator, {
      firstName: 'Ben',
      languageCode: 'en',
      topics: [23, 24],
    });
    await matchPair(ada, ben);
    await eventually(() => hasEndChat(ada), 10_000, 'the chat keyboard');
    await ada.sendCommand('profile');
    const card = await ada.waitForBotMessage(
      (m) =>
        ada.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === 'profile:tz'),
      { timeoutMs: 10_000 },
    );
    await ada.pressButton(card.message_id, 'profile:tz');
    const prompt = await ada.waitForBotMessage((m) => /Your time zone\?/.test(m.text ?? ''), {
      timeoutMs: 10_000,
    });
    await ada.pressButton(prompt.message_id, 'tz:Europe/Berlin');
    await ada.waitForBotMessage((m) => /^Time zone: Europe\/Berlin\.$/.test(m.text ?? ''), {
      timeoutMs: 10_000,
      since: 'beginning',
    });
    // A message relayed to Ada after that comes after anything the zone answer queued for her.
    await ben.sendText('hi back');
    await ada.waitForBotMessage((m) => m.text === 'hi back', { timeoutMs: 10_000 });
    assert.ok(hasEndChat(ada), JSON.stringify(ada.replyKeyboard()));
    assert.ok(
      ada
        .botMessages()
        .every((m) => !/profile is ready/.test(m.text ?? '') || m.message_id < card.message_id),
      'no "profile is ready" during the chat',
    );
  });

  for (const [language, waiting, topics] of [
    ['en', 'You accepted. Waiting for the other person…', [25, 26]],
    ['ru', 'Вы согласились. Ждём ответа собеседника…', [27, 28]],
  ] as const) {
    it(`${language}: accepting keeps the card as it was and answers by the button`, async () => {
      const [a, b] = await Promise.all([
        onboard(t.emulator, { firstName: 'Ivy', languageCode: language, topics }),
        onboard(t.emulator, { firstName: 'Jon', languageCode: language, topics }),
      ]);
      await a.sendCommand('find');
      await b.sendCommand('find');
      const { message: card, matchId } = await expectProposal(a, 15_000);
      const { message: partnerCard } = await expectProposal(b, 15_000);
      const query = await a.pressButton(card.message_id, `match:accept:${matchId}`);
      // The toast says where it stands; Telegram does not count it against the bot's limits.
      assert.equal((await a.waitForCallbackAnswer(query, 10_000)).text, waiting);
      const again = await a.pressButton(card.message_id, `match:accept:${matchId}`);
      assert.equal((await a.waitForCallbackAnswer(again, 10_000)).text, waiting);
      const now = a.botMessages().find((m) => m.message_id === card.message_id);
      assert.equal(now?.text, card.text, 'whom, which topics, which hours: all still there');
      assert.match(now?.text ?? '', /Jon/);
      // "Skip" still acts while the other person has not answered: a change of mind.
      const skip = await a.pressButton(card.message_id, `match:decline:${matchId}`);
      await a.waitForCallbackAnswer(skip, 10_000);
      // The partner learns it by one edit of their card, whose buttons go.
      await until(b, partnerCard.message_id, (m) => b.inlineButtons(m).length === 0);
      await a.sendCommand('cancel');
      await b.sendCommand('cancel');
    });
  }

  it('"Done" tapped twice asks for the time zone once', async () => {
    nextId += 1;
    const user = t.emulator.createUser({ id: nextId, firstName: 'Dot', languageCode: 'en' });
    await user.start();
    const rules = await expectButton(user, /^rules:accept$/);
    await user.pressButton(rules.message_id, 'rules:accept');
    const picker = await expectButton(user, /^topics:done$/);
    for (const topic of [29, 30]) {
      const before = current(user, picker.message_id)!;
      await user.pressButton(picker.message_id, `topic:${topic}`);
      await redrawOf(user, before);
    }
    const first = await user.pressButton(picker.message_id, 'topics:done');
    const second = await user.pressButton(picker.message_id, 'topics:done');
    await user.waitForCallbackAnswer(first, 10_000);
    await user.waitForCallbackAnswer(second, 10_000);
    await expectButton(user, /^tz:/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const prompts = user.botMessages().filter((m) => /^Your time zone\?/.test(m.text ?? ''));
    assert.equal(prompts.length, 1);
  });
});

import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { BotApiEmulator, EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countMessages,
  expectButton,
  expectMessage,
  matchPair,
} from '../helpers/telegram-users.js';
import { onboardUser } from '../../sandbox/onboard-person.js';
import { eventually } from '../helpers/eventually.js';

let nextId = 7_600_000_000;

/** A new onboarded user, with a Telegram username when given one. */
async function person(
  emulator: BotApiEmulator,
  firstName: string,
  options: { username?: string; languageCode?: 'ru' | 'en'; topics: number[] },
): Promise<EmulatedUser> {
  nextId += 1;
  const language = options.languageCode ?? 'ru';
  const user = emulator.createUser({
    id: nextId,
    firstName,
    languageCode: language,
    ...(options.username ? { username: options.username } : {}),
  });
  await onboardUser(user, {
    topicIds: options.topics,
    timeZone: language === 'en' ? 'Europe/London' : 'Europe/Moscow',
    timeoutMs: 5_000,
  });
  return user;
}

/** A bot message as it is now, after any edits. */
const current = (user: EmulatedUser, messageId: number): Message => {
  const found = user.botMessages().find((m) => m.message_id === messageId);
  if (!found) throw new Error(`no bot message ${messageId}`);
  return found;
};

const mentions = (message: Message) =>
  (message.entities ?? []).filter((entity) => entity.type === 'text_mention');

/** What any of the user's bot messages ever said, edits included. */
const everything = (user: EmulatedUser) =>
  user
    .botMessages()
    .map((m) => `${m.text ?? ''} ${JSON.stringify(m.entities ?? [])}`)
    .join('\n');

/**
 * Mutual contact reveal through the real bot, in both languages: nothing identifying before
 * both press, a press withdrawn before the other's, the 24-hour window, a restart in between,
 * and /delete.
 */
describe('e2e: contact exchange', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const requestsOf = (tgId: number) =>
    t.app.deps.db.any(sql.type(
      z.object({ withdrawn: z.boolean(), revealed: z.boolean(), round: z.number() }),
    )`
      SELECT withdrawn_at IS NOT NULL AS withdrawn, revealed_at IS NOT NULL AS revealed, round
      FROM contact_requests r JOIN users u ON u.id = r.user_id WHERE u.tg_id = ${tgId}`);

  it('during a chat (ru): /contact asks, the partner learns nothing until they agree', async () => {
    const alice = await person(t.emulator, 'Alice', { username: 'alice_talks', topics: [3, 4] });
    const bob = await person(t.emulator, 'Bob', { topics: [3, 4] });
    await matchPair(alice, bob);

    await alice.sendCommand('contact');
    await expectMessage(alice, /^Готово: собеседник узнает/, 10_000);
    await expectButton(alice, /^contact:undo:\d+$/);
    const question = await expectMessage(bob, /^Собеседник хотел бы обменяться контактами/, 10_000);
    assert.doesNotMatch(everything(bob), /alice_talks/, 'nothing identifying before consent');
    // Asking again neither nags the partner nor reveals anything.
    await alice.sendCommand('contact');
    await expectMessage(alice, /^Вы уже предложили обмен/, 10_000);
    assert.equal(countMessages(bob, /^Собеседник хотел бы обменяться/), 1);

    const data = bob
      .inlineButtons(question)
      .map((b) => ('callback_data' in b ? b.callback_data : ''))
      .find((d) => d?.startsWith('contact:ask:'));
    await bob.pressButton(question.message_id, data!);
    const toBob = await expectMessage(
      bob,
      /^Контакты открыты! Пишите напрямую: @alice_talks\./,
      10_000,
    );
    assert.match(toBob.text ?? '', /бот не передаёт и не видит/);
    // Bob has no username: Alice gets a mention of his account by its Telegram id.
    const toAlice = await expectMessage(alice, /^Контакты открыты! Пишите напрямую: Bob\./, 10_000);
    assert.deepEqual(
      mentions(toAlice).map((e) => [e.offset, e.length, 'user' in e ? e.user.id : 0]),
      [['Контакты открыты! Пишите напрямую: '.length, 3, bob.id]],
    );
    assert.deepEqual(await requestsOf(alice.id), [{ withdrawn: false, revealed: true, round: 1 }]);
    // Withdrawing after the partner agreed is too late, and says so.
    const mine = await expectButton(alice, /^contact:undo:\d+$/);
    const undo = alice
      .inlineButtons(mine)
      .map((b) => ('callback_data' in b ? b.callback_data : ''))
      .find((d) => d?.startsWith('contact:undo:'));
    const query = await alice.pressButton(mine.message_id, undo!);
    assert.match((await alice.waitForCallbackAnswer(query, 10_000)).text ?? '', /^Поздно/);
    await alice.sendCommand('end');
    await expectMessage(bob, /Собеседник закончил чат/, 10_000);
  });

  it('after a chat (en): a withdrawn press reveals nothing, survives a restart, and a new round works', async () => {
    const carol = await person(t.emulator, 'Carol', {
      username: 'carol_c',
      languageCode: 'en',
      topics: [5, 6],
    });
    const dave = await person(t.emulator, 'Dave', {
      username: 'dave_d',
      languageCode: 'en',
      topics: [5, 6],
    });
    const matchId = await matchPair(carol, dave);
    await carol.sendCommand('end');
    const ask = `contact:ask:${matchId}`;
    const endedCarol = await expectButton(carol, new RegExp(`^${ask}$`), 10_000);
    assert.match(endedCarol.text ?? '', /^You ended the chat/);
    const endedDave = await expectButton(dave, new RegExp(`^${ask}$`), 10_000);

    await carol.pressButton(endedCarol.message_id, ask);
    const mine = await expectMessage(carol, /^Done: your partner will learn/, 10_000);
    const question = await expectMessage(
      dave,
      /^Your partner would like to exchange contacts/,
      10_000,
    );
    await carol.pressButton(mine.message_id, `contact:undo:${matchId}`);
    // Carol's message and Dave's question both say it is over, without buttons.
    await eventually(
      () => current(carol, mine.message_id).text === 'Request withdrawn: nothing was revealed.',
      10_000,
    );
    await eventually(
      () =>
        current(dave, question.message_id).text ===
        'Your partner withdrew the request to exchange contacts.',
      10_000,
    );
    assert.deepEqual(dave.inlineButtons(current(dave, question.message_id)), []);
    assert.deepEqual(await requestsOf(carol.id), [{ withdrawn: true, revealed: false, round: 1 }]);

    // Dave's own press now only asks Carol; it survives a restart of the whole service.
    await dave.pressButton(endedDave.message_id, ask);
    await expectMessage(dave, /^Done: your partner will learn/, 10_000);
    const toCarol = await expectMessage(
      carol,
      /^Your partner would like to exchange contacts/,
      10_000,
    );
    assert.doesNotMatch(everything(carol), /dave_d/);
    assert.doesNotMatch(everything(dave), /carol_c/);
    await t.restartApp();
    await carol.pressButton(toCarol.message_id, ask);
    await expectMessage(
      carol,
      /^Contacts exchanged! Write directly to @dave_d\.\nThe bot does not relay/,
      10_000,
    );
    await expectMessage(dave, /^Contacts exchanged! Write directly to @carol_c\./, 10_000);
    assert.deepEqual(await requestsOf(carol.id), [{ withdrawn: false, revealed: true, round: 2 }]);
  });

  it('refuses with no chat, after the window, and after a report; /delete forgets presses', async () => {
    const { db } = t.app.deps;
    const erin = await person(t.emulator, 'Erin', { languageCode: 'en', topics: [7, 8] });
    await erin.sendCommand('contact');
    await expectMessage(erin, /^There is nobody to exchange contacts with/, 10_000);

    const fay = await person(t.emulator, 'Fay', { languageCode: 'en', topics: [7, 8] });
    const matchId = await matchPair(erin, fay);
    await erin.sendCommand('end');
    await expectButton(fay, /^contact:ask:/, 10_000);
    await db.query(sql.unsafe`
      UPDATE chat_sessions SET started_at = started_at - interval '26 hours',
             last_activity_at = last_activity_at - interval '26 hours',
             ended_at = ended_at - interval '25 hours'
      WHERE match_id = ${matchId}`);
    await fay.sendCommand('contact');
    await expectMessage(
      fay,
      /^Contacts can be exchanged during a chat or within 24 h after it/,
      10_000,
    );

    // A chat ended by a report offers no exchange, and a press is refused.
    const gil = await person(t.emulator, 'Gil', { topics: [9, 10] });
    const hal = await person(t.emulator, 'Hal', { topics: [9, 10] });
    await matchPair(gil, hal);
    await hal.sendCommand('contact');
    await expectMessage(gil, /^Собеседник хотел бы обменяться/, 10_000);
    await gil.sendCommand('report', 'грубость');
    await expectMessage(hal, /Чат закончен\./, 10_000);
    await hal.sendCommand('contact');
    await expectMessage(hal, /^Обменяться контактами можно во время чата/, 10_000);
    assert.equal(
      hal
        .botMessages()
        .some((m) =>
          hal
            .inlineButtons(m)
            .some((b) => 'callback_data' in b && /^contact:ask/.test(b.callback_data ?? '')),
        ),
      false,
      'no exchange button after a report',
    );

    // /delete erases the standing press of the one who leaves.
    await gil.sendCommand('delete');
    const confirm = await expectButton(gil, /^delete:yes$/);
    await gil.pressButton(confirm.message_id, 'delete:yes');
    await expectMessage(gil, /удалены/, 10_000);
    await hal.sendCommand('delete');
    const confirmHal = await expectButton(hal, /^delete:yes$/);
    await hal.pressButton(confirmHal.message_id, 'delete:yes');
    await expectMessage(hal, /удалены/, 10_000);
    const left = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM contact_requests r
      JOIN chat_sessions c ON c.match_id = r.match_id
      JOIN users u ON u.id IN (c.user_a, c.user_b) WHERE u.first_name = 'deleted'`);
    assert.equal(left, 0);
  });
});

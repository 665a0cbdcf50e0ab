import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectButton, onboard } from '../helpers/telegram-users.js';

const next = (user: EmulatedUser, pattern: RegExp, timeoutMs = 10_000) =>
  user.waitForBotMessage((m: Message) => pattern.test(m.text ?? ''), { timeoutMs });

/** Opens /profile → "can help / want to learn" and presses `topicId` `presses` times. */
async function markTopic(user: EmulatedUser, topicId: number, presses: 1 | 2, done: RegExp) {
  await user.sendCommand('profile');
  const profile = await expectButton(user, /^roles$/, 10_000);
  await user.pressButton(profile.message_id, 'roles');
  const picker = await user.waitForBotMessage(
    (m) =>
      user.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === 'roles:done'),
    { timeoutMs: 10_000 },
  );
  const mark = presses === 1 ? '🤝' : '🎓';
  for (let press = 0; press < presses; press += 1) {
    await user.pressButton(picker.message_id, `role:${topicId}`);
  }
  await user.waitForBotMessage(
    (m) =>
      m.message_id === picker.message_id &&
      user.inlineButtons(m).some((b) => b.text.startsWith(`${mark} `)),
    { timeoutMs: 10_000, since: 'beginning' },
  );
  await user.pressButton(picker.message_id, 'roles:done');
  await user.waitForBotMessage((m) => done.test(m.text ?? ''), {
    timeoutMs: 10_000,
    since: 'beginning',
  });
}

describe('e2e: topics you can help with or want to learn', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const title = (id: number, language: 'ru' | 'en') =>
    t.app.deps.db.oneFirst(sql.type(z.object({ title: z.string() }))`
      SELECT CASE WHEN ${language} = 'en' THEN title_en ELSE title_ru END AS title
      FROM topics WHERE id = ${id}`);

  it('ru: a new profile has no roles; the card says who can help with what', async () => {
    const boris = await onboard(t.emulator, { firstName: 'Boris', topics: [13, 14] });
    const ada = await onboard(t.emulator, { firstName: 'Ada', topics: [13, 14] });
    const none = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM user_topics ut JOIN users u ON u.id = ut.user_id
      WHERE u.tg_id IN (${boris.id}, ${ada.id}) AND ut.role IS NOT NULL`);
    assert.equal(none, 0);
    const topic = await title(13, 'ru');
    await markTopic(boris, 13, 1, new RegExp(`^Могу помочь: ${topic}\nХочу научиться: —$`));
    await markTopic(ada, 13, 2, new RegExp(`^Могу помочь: —\nХочу научиться: ${topic}$`));
    await ada.sendCommand('profile');
    await next(ada, new RegExp(`Темы: [^\n]*${topic} 🎓`));

    await boris.sendCommand('find');
    await next(boris, /Ищу вам собеседника/);
    await ada.sendCommand('find');
    const card = await next(ada, /Нашёлся собеседник: Boris/);
    assert.match(
      card.text ?? '',
      new RegExp(`\nBoris может помочь с темой: ${topic}\\.\nНачать разговор\\?$`),
    );
    const his = await next(boris, /Нашёлся собеседник: Ada/);
    assert.match(his.text ?? '', new RegExp(`\nAda хочет научиться: ${topic}\\.\n`));
  });

  it('en: a learner is proposed the helper over someone who waited longer', async () => {
    // Cleo and Boris share nothing, so each can only be Lena's partner.
    const cleo = await onboard(t.emulator, {
      firstName: 'Cleo',
      languageCode: 'en',
      topics: [15, 16],
    });
    const boris = await onboard(t.emulator, {
      firstName: 'Boris',
      languageCode: 'en',
      topics: [17, 18],
    });
    const lena = await onboard(t.emulator, {
      firstName: 'Lena',
      languageCode: 'en',
      topics: [15, 16, 17, 18],
    });
    const topic = await title(17, 'en');
    await markTopic(boris, 17, 1, new RegExp(`^I can help with: ${topic}\nI want to learn: —$`));
    await markTopic(lena, 17, 2, new RegExp(`^I can help with: —\nI want to learn: ${topic}$`));

    // Cleo waits first: without the roles, the oldest request would win the tie.
    await cleo.sendCommand('find');
    await next(cleo, /Looking for a partner/);
    await boris.sendCommand('find');
    await next(boris, /Looking for a partner/);
    await lena.sendCommand('find');
    const card = await next(lena, /^Found someone: /);
    assert.match(card.text ?? '', /^Found someone: Boris\./);
    assert.match(
      card.text ?? '',
      new RegExp(`\nBoris can help with ${topic}\\.\nStart a conversation\\?$`),
    );
  });

  it('/help and the command menu mention the roles in both languages', async () => {
    const dora = await onboard(t.emulator, { firstName: 'Dora', topics: [19, 20] });
    await dora.sendCommand('help');
    await next(dora, /\/profile — профиль и темы; по каждой теме: могу помочь или хочу научиться/);
    const eli = await onboard(t.emulator, {
      firstName: 'Eli',
      languageCode: 'en',
      topics: [19, 20],
    });
    await eli.sendCommand('help');
    await next(
      eli,
      /\/profile: profile and topics; for each topic, whether you can help or want to learn/,
    );
    const menu = (language: string) =>
      (
        t.emulator
          .calls('setMyCommands')
          .filter((call) => call.params.language_code === language)
          .at(-1)?.params.commands as { command: string; description: string }[]
      ).find((entry) => entry.command === 'profile')?.description;
    assert.equal(menu('ru'), 'Профиль, темы: помогу / хочу научиться');
    assert.equal(menu('en'), 'Profile, topics: can help / want to learn');
  });

  it('/delete erases the roles with the topics', async () => {
    const fox = await onboard(t.emulator, { firstName: 'Fox', topics: [21, 22] });
    const topic = await title(21, 'ru');
    await markTopic(fox, 21, 1, new RegExp(`^Могу помочь: ${topic}\n`));
    const id = await t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${fox.id}`);
    await fox.sendCommand('delete');
    const confirm = await expectButton(fox, /^delete:yes$/, 10_000);
    await fox.pressButton(confirm.message_id, 'delete:yes');
    await next(fox, /Готово: ваши данные удалены/);
    const left = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM user_topics WHERE user_id = ${id}`);
    assert.equal(left, 0);
  });
});

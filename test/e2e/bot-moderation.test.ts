import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  callbackData,
  countMessages,
  expectButton,
  expectMessage,
  matchPair,
  onboard,
} from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN_EN = 7_700_000_001;
const ADMIN_RU = 7_700_000_002;

/** A bot message as it is now, after any edits. */
const current = (user: EmulatedUser, messageId: number): Message => {
  const found = user.botMessages().find((m) => m.message_id === messageId);
  if (!found) throw new Error(`no bot message ${messageId}`);
  return found;
};

/**
 * Operators through the real bot, in both languages: reports reach them as they arrive and
 * are decided with buttons, a dismissed report counts against its reporter, a suspended
 * person appeals once, and /stats.
 */
describe('e2e: moderation', function () {
  this.timeout(150_000);
  let t: TestApp;
  let adminEn: EmulatedUser;
  let adminRu: EmulatedUser;
  let oscar: EmulatedUser;

  before(async () => {
    t = await startTestApp({
      ADMIN_TELEGRAM_IDS: `${ADMIN_EN}, ${ADMIN_RU}`,
      REPORT_SUSPEND_THRESHOLD: '2',
      FALSE_REPORT_LIMIT: '1',
    });
    // One operator uses the bot in English; the other never registered (Russian, the default).
    adminEn = t.emulator.createUser({ id: ADMIN_EN, firstName: 'Op', languageCode: 'en' });
    adminRu = t.emulator.createUser({ id: ADMIN_RU, firstName: 'Оп', languageCode: 'ru' });
    await adminEn.sendCommand('start');
    await expectMessage(adminEn, /The rules of tete/);
    await adminRu.sendCommand('help');
    await expectMessage(adminRu, /^Команды:/);
  });
  after(() => t?.stop());

  const db = () => t.app.deps.db;
  const userId = (tgId: number) =>
    db().oneFirst(
      sql.type(z.object({ id: z.number() }))`SELECT id FROM users WHERE tg_id = ${tgId}`,
    );
  const suspended = async (tgId: number) =>
    db().oneFirst(sql.type(z.object({ s: z.boolean() }))`
      SELECT suspended_at IS NOT NULL AS s FROM users WHERE tg_id = ${tgId}`);

  /** Reporter and reported chat, then the reporter reports; resolves with both admins' cards. */
  async function chatAndReport(reporter: EmulatedUser, reported: EmulatedUser, reason: string) {
    await matchPair(reporter, reported);
    await reported.sendText('a private line of the chat');
    await reporter.sendCommand('report', reason);
    const en = await adminEn.waitForBotMessage(
      (m) => m.text?.startsWith('Report #') === true && m.text.includes(`Reason: ${reason}\n`),
      { timeoutMs: 10_000, since: 'beginning' },
    );
    const id = Number(/^Report #(\d+)\n/.exec(en.text ?? '')?.[1]);
    const ru = await expectMessage(adminRu, new RegExp(`^Жалоба #${id}\\n`), 10_000);
    return { id, en, ru };
  }

  it('a report reaches both operators; a dismissal counts against the reporter', async () => {
    const eve = await onboard(t.emulator, { firstName: 'Eve', topics: [3, 4] });
    oscar = await onboard(t.emulator, {
      firstName: 'Oscar',
      languageCode: 'en',
      topics: [3, 4, 5],
    });
    const first = await chatAndReport(eve, oscar, 'spam');
    const [eveId, oscarId] = [await userId(eve.id), await userId(oscar.id)];
    assert.equal(
      first.en.text,
      [
        `Report #${first.id}`,
        'Reason: spam',
        `Reported: user ${oscarId}, reports in 30 days: 1`,
        `Reporter: user ${eveId}, reports filed: 1, dismissed: 0`,
        'Status: open',
      ].join('\n'),
    );
    assert.match(first.ru.text ?? '', /^Жалоба #\d+\nПричина: spam\nНа кого: пользователь \d+/);
    for (const admin of [adminEn, adminRu]) {
      assert.equal(countMessages(admin, /a private line of the chat/), 0, 'never the chat');
    }

    await adminEn.pressButton(first.en.message_id, `mod:dismiss:${first.id}`);
    await eventually(
      () => /Status: dismissed$/.test(current(adminEn, first.en.message_id).text ?? ''),
      10_000,
    );

    // Eve's new reports no longer count (FALSE_REPORT_LIMIT 1): two reporters, no suspension.
    oscar = await onboard(t.emulator, {
      firstName: 'Quinn',
      languageCode: 'en',
      topics: [3, 4, 5],
    });
    const byEve = await chatAndReport(eve, oscar, 'boring');
    assert.match(
      byEve.en.text ?? '',
      new RegExp(`Reporter: user ${eveId}, reports filed: 2, dismissed: 1`),
    );
    const ivy = await onboard(t.emulator, {
      firstName: 'Ivy',
      languageCode: 'en',
      topics: [3, 4, 5],
    });
    const second = await chatAndReport(ivy, oscar, 'rude');
    assert.match(second.en.text ?? '', /reports in 30 days: 2\n/);
    assert.equal(await suspended(oscar.id), false, "the false reporter's report does not count");

    // The Russian-speaking operator suspends him with the button on their card.
    await adminRu.pressButton(second.ru.message_id, `mod:suspend:${second.id}`);
    await eventually(() => suspended(oscar.id), 10_000);
    await eventually(
      () => /Статус: подтверждена$/.test(current(adminRu, second.ru.message_id).text ?? ''),
      10_000,
    );
    await oscar.sendCommand('find');
    await expectMessage(
      oscar,
      /^Matching is suspended for you after reports\. If this is a mistake, send \/appeal/,
      10_000,
    );
  });

  it('a suspended person appeals once; operators keep, then lift the suspension', async () => {
    await oscar.sendCommand('appeal');
    await expectMessage(oscar, /^Send \/appeal followed by a few words/, 10_000);
    await oscar.sendCommand('appeal', 'I was only joking, sorry');
    await expectMessage(oscar, /^Your appeal has been sent to the operators/, 10_000);
    const card = await expectMessage(
      adminEn,
      /^Appeal #\d+ from user \d+ \(reports standing: 2\)\n“I was only joking, sorry”\nStatus: waiting$/,
      10_000,
    );
    await expectMessage(adminRu, /^Апелляция #\d+ от пользователя \d+/, 10_000);
    await oscar.sendCommand('appeal', 'again');
    await expectMessage(oscar, /^You have already appealed this suspension/, 10_000);
    assert.equal(countMessages(adminEn, /^Appeal #/), 1);

    // A restart in between: the appeal waits in PostgreSQL, and the operators, whose chats
    // now exist, get their menu with /stats.
    await t.restartApp();
    const menus = t.emulator
      .calls('setMyCommands')
      .filter((call) => JSON.stringify(call.params.scope ?? '').includes(String(ADMIN_EN)));
    assert.ok(
      menus.some((call) => JSON.stringify(call.params.commands).includes('"stats"')),
      'the operator menu has /stats',
    );
    const keep = callbackData(adminEn, card, /^appeal:keep:/);
    await adminEn.pressButton(card.message_id, keep);
    await expectMessage(
      oscar,
      /^The operators have read your appeal: the suspension stays\./,
      10_000,
    );
    assert.equal(await suspended(oscar.id), true);
    await adminEn.pressButton(card.message_id, keep.replace('keep', 'lift'));
    await expectMessage(oscar, /^Your suspension has been lifted/, 10_000);
    assert.equal(await suspended(oscar.id), false);
    const counted = await db().oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM reports r JOIN users u ON u.id = r.reported_id
      WHERE u.tg_id = ${oscar.id} AND r.status IN ('open', 'upheld')`);
    assert.equal(counted, 0, 'the reports behind a lifted suspension stop counting');
    await oscar.sendCommand('find');
    await expectMessage(oscar, /Looking for a partner/, 10_000);
    await oscar.sendCommand('cancel');

    // /delete forgets the appeal's words.
    await oscar.sendCommand('delete');
    const confirm = await expectButton(oscar, /^delete:yes$/);
    await oscar.pressButton(confirm.message_id, 'delete:yes');
    await expectMessage(oscar, /^Done: your data has been deleted/, 10_000);
    const appeals = await db().oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM appeals`);
    assert.equal(appeals, 0);
  });

  it('/stats and the buttons are for operators only; /help shows operators their commands', async () => {
    const zed = await onboard(t.emulator, { firstName: 'Zed', topics: [9, 10] });
    await zed.sendCommand('stats');
    await expectMessage(zed, /^Эта команда только для модераторов\./, 10_000);
    await zed.sendCommand('appeal', 'why');
    await expectMessage(zed, /^Поиск для вас не ограничен/, 10_000);

    await adminEn.sendCommand('stats');
    const stats = await expectMessage(adminEn, /^Figures\nPeople: \d+\n\nLast 24 hours:\n/, 10_000);
    assert.match(stats.text ?? '', /Proposals: [1-9]\d*\nAccept rate: 100%\nChats: [1-9]/);
    await adminRu.sendCommand('stats');
    await expectMessage(adminRu, /^Показатели\nЛюдей: \d+\n\nЗа 24 часа:\n/, 10_000);
    await adminRu.sendCommand('help');
    await eventually(() => countMessages(adminRu, /\/stats — люди/) === 1, 10_000);
    await zed.sendCommand('help');
    await expectMessage(zed, /\/appeal — обжаловать/, 10_000);
    assert.equal(countMessages(zed, /\/stats/), 0);
  });
});

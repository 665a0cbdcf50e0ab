import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { countMessages, expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';
import { heldInviteId } from '../../src/again/again-service.js';
import { packCallback } from '../../src/bot/callback-data.js';
import {
  againData,
  newestWithButton,
  press,
  restartThenFireAtNight,
  userIdOf,
  zoneAtLocalHour,
} from '../helpers/again-steps.js';

/**
 * Chat again in Russian, across a simulated night: an invitation to someone whose local time
 * is 3 a.m. (WAKING_HOURS 09:00-23:00) is held, survives a restart, is held again when its job
 * fires while they still sleep, and reaches them once it is morning for them (their zone moved
 * to midday, the job run now). /delete drops a held invitation and the saved pair.
 */
describe('e2e: chat again across the night (Russian)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let vera: EmulatedUser;
  let gleb: EmulatedUser;
  let veraId: number;
  let glebId: number;
  const day = zoneAtLocalHour(13);
  const night = zoneAtLocalHour(3);

  const heldJob = () => t.app.deps.queues.wakeHolds.getJob(heldInviteId(veraId, glebId));
  const invitations = () => countMessages(gleb, /^Вера хочет пообщаться с вами снова/);

  async function inviteGleb(): Promise<void> {
    await vera.sendCommand('again');
    const list = await newestWithButton(vera, new RegExp(`^again:invite:${glebId}$`));
    await press(vera, list, againData('invite', glebId));
  }

  before(async () => {
    t = await startTestApp({ WAKING_HOURS: '09:00-23:00', STANDING_PROPOSAL_TTL_SECONDS: '60' });
    vera = await onboard(t.emulator, { firstName: 'Вера', topics: [3, 4], timeZone: day.zone });
    gleb = await onboard(t.emulator, { firstName: 'Глеб', topics: [3, 4], timeZone: night.zone });
    veraId = await userIdOf(t, vera.id);
    glebId = await userIdOf(t, gleb.id);
    const chat = await matchPair(vera, gleb);
    await vera.sendCommand('end');
    const veraRating = await newestWithButton(vera, /^again:wish:/);
    assert.ok(
      vera.inlineButtons(veraRating).some((b) => b.text === '🔁 Я бы пообщался(ась) с Глеб ещё'),
    );
    assert.equal(
      await press(vera, veraRating, againData('wish', chat)),
      'Записал. Если Глеб скажет то же, вы сможете позвать друг друга снова: /again.',
    );
    const glebRating = await newestWithButton(gleb, /^again:wish:/);
    assert.equal(
      await press(gleb, glebRating, againData('wish', chat)),
      'Вера тоже хочет пообщаться ещё! Позвать в любой момент: /again.',
    );
    await expectMessage(
      vera,
      /^Глеб тоже хочет пообщаться с вами ещё — сохранил\. Позвать: \/again\.$/,
    );
  });
  after(() => t?.stop());

  it('/again is in /help and in the command menu, in Russian', async () => {
    await vera.sendCommand('help');
    await expectMessage(vera, /\n\/again — пообщаться снова с тем, кто тоже этого хочет$/m);
    const russian = t.emulator
      .calls('setMyCommands')
      .find((call) => call.params.language_code === 'ru');
    const commands = (russian?.params.commands ?? []) as { command: string; description: string }[];
    assert.ok(commands.some((c) => c.command === 'again' && c.description === 'Пообщаться снова'));
  });

  it('holds an invitation to someone asleep until their morning, and says when', async () => {
    await inviteGleb();
    // 09:00 for Глеб, in Вера's time.
    const at = `${String((((9 + day.offset - night.offset) % 24) + 24) % 24).padStart(2, '0')}:00`;
    await expectMessage(
      vera,
      new RegExp(
        `^У Глеб сейчас ночь\\. Отправлю приглашение, когда у него\\(неё\\) начнётся день \\(в ${at} по вашему времени\\)`,
      ),
    );
    await inviteGleb();
    await expectMessage(vera, /^Приглашение для Глеб уже ждёт утра\.$/);
    assert.equal(await (await heldJob())?.getState(), 'delayed');
    assert.equal(invitations(), 0, 'nothing reaches Глеб at night');
  });

  it('survives a restart, and a job that fires at night waits again', async () => {
    await restartThenFireAtNight(t, heldJob);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(invitations(), 0, 'still nothing at night');
  });

  it('delivers it in the morning; the chat opens when Глеб accepts', async () => {
    // Morning comes for Глеб: his zone now says midday.
    await t.app.deps.db.query(sql.unsafe`UPDATE users SET tz = ${day.zone} WHERE id = ${glebId}`);
    await (await heldJob())!.promote();
    const card = await expectMessage(
      gleb,
      /^Вера хочет пообщаться с вами снова\.\nОбщие темы: .+\.\nНачать разговор\?$/,
      10_000,
    );
    await expectMessage(vera, /^Я позвал\(а\) Глеб пообщаться снова и сообщу ответ\.$/, 10_000);
    const matchId = Number(/again:yes:(\d+)/.exec(JSON.stringify(card.reply_markup))![1]);
    assert.equal(await press(gleb, card, againData('yes', matchId)), 'Совпадение! Чат открыт.');
    await expectMessage(gleb, /Чат открыт! Ваш собеседник — Вера/, 10_000);
    await gleb.sendCommand('end');
    await expectMessage(gleb, /^Вы закончили чат\./, 10_000);
  });

  it('refuses, rather than holds, an invitation while either of them is paused', async () => {
    await t.app.deps.db.query(sql.unsafe`UPDATE users SET tz = ${night.zone} WHERE id = ${glebId}`);
    const pause = async (user: EmulatedUser) => {
      await user.sendCommand('pause');
      const prompt = await newestWithButton(user, /^pause:7$/);
      await user.pressButton(prompt.message_id, 'pause:1');
      await expectMessage(user, /^Пауза до /, 10_000);
    };
    const resume = async (user: EmulatedUser) => {
      await user.sendCommand('resume');
      await expectMessage(user, /^Пауза закончена\./, 10_000);
    };
    // Глеб sleeps and is paused: nothing is held for his morning.
    await pause(gleb);
    await inviteGleb();
    await expectMessage(vera, /^Глеб сейчас занят\(а\)\. Попробуйте позже\.$/);
    assert.notEqual(
      await (await heldJob())?.getState(),
      'delayed',
      'nothing held for a paused partner',
    );
    await resume(gleb);
    // Вера is paused: she is told why and how to come back.
    await pause(vera);
    await inviteGleb();
    await expectMessage(vera, /^У вас перерыв \(\/pause\), поэтому позвать никого нельзя\./);
    assert.notEqual(
      await (await heldJob())?.getState(),
      'delayed',
      'nothing held for a paused inviter',
    );
    await resume(vera);
  });

  it('/delete drops a held invitation and the saved pair', async () => {
    await t.app.deps.db.query(sql.unsafe`UPDATE users SET tz = ${night.zone} WHERE id = ${glebId}`);
    await inviteGleb();
    await eventually(
      async () => (await (await heldJob())?.getState()) === 'delayed',
      10_000,
      'held again',
    );
    await gleb.sendCommand('delete');
    const confirm = await newestWithButton(gleb, /^delete:yes$/);
    await press(gleb, confirm, packCallback({ type: 'delete', confirmed: true }));
    await expectMessage(gleb, /^Готово: ваши данные удалены/, 10_000);
    await eventually(async () => (await heldJob()) === undefined, 10_000, 'the held job is gone');
    const rows = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT (SELECT count(*) FROM again_pairs WHERE ${glebId} IN (user_low, user_high))::int
           + (SELECT count(*) FROM again_wishes WHERE ${glebId} IN (user_id, partner_id))::int AS n`);
    assert.equal(rows, 0);
    await vera.sendCommand('again');
    await expectMessage(vera, /^Пока никого нет\./);
  });
});

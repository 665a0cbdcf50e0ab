import { strict as assert } from 'node:assert';
import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { Queue } from 'bullmq';
import { sql } from 'slonik';
import { z } from 'zod';
import { QUEUE_NAMES } from '../../src/redis/keys.js';
import { utcOffsetMinutes } from '../../src/time/waking-hours.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { countMessages, expectButton, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

/** One day of /pause lasts this long here (PAUSE_DAY_HOURS), so "1 day" ends within the test. */
const DAY_SECONDS = 6;
const pauseDayHours = String(DAY_SECONDS / 3600);

const next = (user: EmulatedUser, pattern: RegExp, timeoutMs = 10_000) =>
  user.waitForBotMessage((m: Message) => pattern.test(m.text ?? ''), { timeoutMs });

async function userId(t: TestApp, user: EmulatedUser): Promise<number> {
  return t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
    SELECT id FROM users WHERE tg_id = ${user.id} AND deleted_at IS NULL`);
}

async function pausedUntil(t: TestApp, id: number): Promise<Date | null> {
  return t.app.deps.db.oneFirst(sql.type(z.object({ paused_until: z.date().nullable() }))`
    SELECT paused_until FROM users WHERE id = ${id}`);
}

/** /pause, then the button for `days`; resolves with the confirmation. */
async function pauseFor(user: EmulatedUser, days: 1 | 3 | 7, confirmation: RegExp) {
  await user.sendCommand('pause');
  const prompt = await user.waitForBotMessage(
    (m) => user.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === 'pause:7'),
    { timeoutMs: 10_000 },
  );
  await user.pressButton(prompt.message_id, `pause:${days}`);
  return user.waitForBotMessage((m) => confirmation.test(m.text ?? ''), { timeoutMs: 10_000 });
}

/** Waking hours that leave out the current hour in `zone` (and the next one), so it is night. */
function nightNowIn(zone: string): string {
  const hour = Math.floor(
    ((((Date.now() / 60_000 + utcOffsetMinutes(zone)) % 1440) + 1440) % 1440) / 60,
  );
  const pad = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return `${pad(hour + 2)}-${pad(hour + 5)}`;
}

describe('e2e: /pause and /resume (awake all day)', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ PAUSE_DAY_HOURS: pauseDayHours, WAKING_HOURS: '00:00-24:00' });
  });
  after(() => t?.stop());

  it('ru: a pause stops the search, refuses /find and proposals, and /resume ends it', async () => {
    const ada = await onboard(t.emulator, { firstName: 'Ada', topics: [3, 4] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [3, 4] });
    const ada_id = await userId(t, ada);
    await ada.sendCommand('find');
    await next(ada, /Ищу вам собеседника/);

    const done = await pauseFor(ada, 7, /^Пауза до .+\nТекущий поиск остановлен\.$/);
    assert.match(done.text ?? '', /Вернуться раньше — \/resume/);
    const until = await pausedUntil(t, ada_id);
    assert.ok(until && until.getTime() > Date.now() + 30_000, 'paused for a week of test days');
    const ended = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM searches
      WHERE user_id = ${ada_id} AND state = 'cancelled' AND end_reason = 'paused'`);
    assert.equal(ended, 1);

    await ada.sendCommand('find');
    await next(
      ada,
      /^Вы на паузе до .+, поэтому я не ищу собеседника\. Вернуться сейчас — \/resume\.$/,
    );
    // Someone else searching is not proposed to her while she is paused.
    await bob.sendCommand('find');
    await next(bob, /Ищу вам собеседника/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(countMessages(bob, /Нашёлся собеседник/), 0);

    // /pause again shows the running pause with "come back now".
    await ada.sendCommand('pause');
    const again = await expectButton(ada, /^pause:resume$/, 10_000);
    assert.match(again.text ?? '', /^Вы на паузе до /);
    await ada.pressButton(again.message_id, 'pause:resume');
    await ada.waitForBotMessage((m) => /^Пауза закончена\./.test(m.text ?? ''), {
      timeoutMs: 10_000,
    });
    assert.equal(await pausedUntil(t, ada_id), null);
    await ada.sendCommand('resume');
    await next(ada, /^Вы не на паузе\. Взять паузу — \/pause\.$/);

    await ada.sendCommand('find');
    await next(ada, /Нашёлся собеседник: Bob/);
    await next(bob, /Нашёлся собеседник: Ada/);
  });

  it('en: a pause survives a restart, ends on time and says so; /find works again', async () => {
    const cai = await onboard(t.emulator, { firstName: 'Cai', languageCode: 'en', topics: [5, 6] });
    const id = await userId(t, cai);
    await pauseFor(cai, 1, /^On a break until .+ No searches and no proposals until then/);
    await cai.sendCommand('find');
    await next(cai, /^You are on a break until .+, so I am not looking for a partner\./);

    // The service is down when the pause runs out; its job waits in Redis for the restart.
    await t.stopApp();
    await new Promise((resolve) => setTimeout(resolve, (DAY_SECONDS + 1) * 1000));
    await t.restartApp();
    await cai.waitForBotMessage(
      (m) => /^Your break is over: I can find you a partner again\./.test(m.text ?? ''),
      { timeoutMs: 20_000, since: 'beginning' },
    );
    assert.equal(await pausedUntil(t, id), null);
    await cai.sendCommand('find');
    await next(cai, /Looking for a partner/);
    await cai.sendCommand('cancel');
    await next(cai, /Search stopped/);
    assert.equal(countMessages(cai, /Your break is over/), 1);
  });

  it('/help and the command menu list /pause and /resume in both languages', async () => {
    const dee = await onboard(t.emulator, { firstName: 'Dee', languageCode: 'en', topics: [7, 8] });
    await dee.sendCommand('help');
    await next(dee, /\/pause: take a break from matching[^\n]*\n\/resume: end the break early/);
    const eva = await onboard(t.emulator, { firstName: 'Eva', topics: [7, 8] });
    await eva.sendCommand('help');
    await next(eva, /\/pause — пауза[^\n]*\n\/resume — закончить паузу раньше/);
    for (const language of ['ru', 'en']) {
      const menu = t.emulator
        .calls('setMyCommands')
        .filter((call) => call.params.language_code === language)
        .at(-1);
      const names = (menu?.params.commands as { command: string }[]).map((c) => c.command);
      assert.ok(names.includes('pause') && names.includes('resume'), language);
    }
  });

  it('/delete forgets a pause and its resume job', async () => {
    const { redis, keys } = t.app.deps;
    const fay = await onboard(t.emulator, { firstName: 'Fay', topics: [9, 10] });
    const id = await userId(t, fay);
    await pauseFor(fay, 3, /^Пауза до /);
    const queue = new Queue(QUEUE_NAMES.pauseTimers, {
      connection: redis,
      prefix: keys.queuePrefix(QUEUE_NAMES.pauseTimers),
    });
    const hers = async () =>
      (await queue.getJobs(['delayed', 'waiting'])).filter(
        (job) => (job.data as { userId: number }).userId === id,
      ).length;
    try {
      assert.equal(await hers(), 1);
      await fay.sendCommand('delete');
      const confirm = await expectButton(fay, /^delete:yes$/, 10_000);
      await fay.pressButton(confirm.message_id, 'delete:yes');
      await next(fay, /Готово: ваши данные удалены/);
      await eventually(async () => (await hers()) === 0, 10_000, 'the pause job gone');
      assert.equal(await pausedUntil(t, id), null);
    } finally {
      await queue.close();
    }
  });
});

describe('e2e: a pause that ends at night ends quietly', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      PAUSE_DAY_HOURS: pauseDayHours,
      WAKING_HOURS: nightNowIn('Europe/Moscow'),
    });
  });
  after(() => t?.stop());

  it('ru: no message when the pause ends, and /find works', async () => {
    const gus = await onboard(t.emulator, { firstName: 'Gus', topics: [11, 12] });
    const id = await userId(t, gus);
    // An answer to what he just did is sent at night too.
    await pauseFor(gus, 1, /^Пауза до /);
    await eventually(async () => (await pausedUntil(t, id)) === null, 20_000, 'the pause ended');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(countMessages(gus, /Пауза закончилась/), 0);
    await gus.sendCommand('find');
    await next(gus, /Ищу вам собеседника/);
  });
});

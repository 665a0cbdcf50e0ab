import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { countMessages, expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';
import { heldNoticeId } from '../../src/notifications/night-rule.js';
import {
  againData,
  edited,
  newestWithButton,
  press,
  restartThenFireAtNight,
  userIdOf,
  zoneAtLocalHour,
} from '../helpers/again-steps.js';

/**
 * The night rule and personal waking hours, in both languages. WAKING_HOURS is 09:00-23:00 and
 * the sleeper lives where it is 08:00 now: a notice that can wait ("your partner would chat
 * again too") is held, survives a restart and is held again while it is still night, and
 * arrives once their own waking hours (/profile: 07:00-22:00) make it morning for them.
 */
const CASES = [
  {
    language: 'en' as const,
    names: ['Ann', 'Ben'] as const,
    saved: /^Ben would chat with you again too: saved\. To invite: \/again\.$/,
    button: 'Waking hours',
    prompt: /^Your waking hours: \d\d:00–\d\d:00 \(your time\)\./,
    chosen: /^Waking hours: 07:00–22:00, your time\.$/,
    reset: /^Waking hours: 09:00–23:00, your time\.$/,
  },
  {
    language: 'ru' as const,
    names: ['Аня', 'Борис'] as const,
    saved: /^Борис тоже хочет пообщаться с вами ещё — сохранил\. Позвать: \/again\.$/,
    button: 'Часы бодрствования',
    prompt: /^Ваши часы бодрствования: \d\d:00–\d\d:00 \(по вашему времени\)\./,
    chosen: /^Часы бодрствования: 07:00–22:00 по вашему времени\.$/,
    reset: /^Часы бодрствования: 09:00–23:00 по вашему времени\.$/,
  },
];

for (const c of CASES) {
  describe(`e2e: the night rule and personal waking hours (${c.language})`, function () {
    this.timeout(120_000);
    let t: TestApp;
    let sleeper: EmulatedUser;
    let partner: EmulatedUser;
    let sleeperId: number;
    let partnerId: number;
    let matchId: number;

    const heldJob = () =>
      t.app.deps.queues.wakeHolds.getJob(
        heldNoticeId(sleeperId, { kind: 'again.saved', matchId, partnerId }),
      );
    const savedNotices = () => countMessages(sleeper, c.saved);

    async function chooseHours(choice: string, expected: RegExp): Promise<void> {
      const last = Math.max(0, ...sleeper.botMessages().map((m) => m.message_id));
      await sleeper.sendCommand('profile');
      const profile = await sleeper.waitForBotMessage(
        (m) =>
          m.message_id > last &&
          sleeper.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === 'hours'),
        { timeoutMs: 10_000, since: 'beginning' },
      );
      assert.ok(sleeper.inlineButtons(profile).some((b) => b.text === c.button));
      await press(sleeper, profile, 'hours');
      const menu = await sleeper.waitForBotMessage(
        (m) => m.message_id > profile.message_id && c.prompt.test(m.text ?? ''),
        { timeoutMs: 10_000, since: 'beginning' },
      );
      await press(sleeper, menu, choice);
      await edited(sleeper, menu.message_id, expected);
    }

    before(async () => {
      t = await startTestApp({ WAKING_HOURS: '09:00-23:00' });
      const [sleeperName, partnerName] = c.names;
      sleeper = await onboard(t.emulator, {
        firstName: sleeperName,
        languageCode: c.language,
        topics: [1, 2],
        timeZone: zoneAtLocalHour(8).zone,
      });
      partner = await onboard(t.emulator, {
        firstName: partnerName,
        languageCode: c.language,
        topics: [1, 2],
        timeZone: zoneAtLocalHour(13).zone,
      });
      sleeperId = await userIdOf(t, sleeper.id);
      partnerId = await userIdOf(t, partner.id);
      // What answers the sleeper's own presses reaches them at night: the proposal, the chat.
      matchId = await matchPair(sleeper, partner);
      await partner.sendCommand('end');
    });
    after(() => t?.stop());

    it('holds a notice that can wait during the night, across a restart', async () => {
      const sleeperRating = await newestWithButton(sleeper, /^again:wish:/);
      await press(sleeper, sleeperRating, againData('wish', matchId));
      const partnerRating = await newestWithButton(partner, /^again:wish:/);
      await press(partner, partnerRating, againData('wish', matchId));
      await eventually(
        async () => (await (await heldJob())?.getState()) === 'delayed',
        10_000,
        'the notice is held until morning',
      );
      await restartThenFireAtNight(t, heldJob);
      assert.equal(savedNotices(), 0, 'nothing reaches the sleeper at night');
    });

    it('personal waking hours in /profile make it morning; the held notice arrives', async () => {
      await chooseHours('hours:0', c.chosen);
      assert.equal(await t.app.deps.services.holds.isAwake(sleeperId), true);
      await (await heldJob())!.promote();
      await expectMessage(sleeper, c.saved, 10_000);
      assert.equal(savedNotices(), 1);
    });

    it('back to the service default: it is night again for them', async () => {
      await chooseHours('hours:default', c.reset);
      assert.equal(await t.app.deps.services.holds.isAwake(sleeperId), false);
      const row = await t.app.deps.db.one(
        sql.type(
          z.object({ waking_start: z.number().nullable(), waking_end: z.number().nullable() }),
        )`SELECT waking_start, waking_end FROM users WHERE id = ${sleeperId}`,
      );
      assert.deepEqual(row, { waking_start: null, waking_end: null });
    });
  });
}

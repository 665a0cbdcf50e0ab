import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectMessage, expectProposal, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';
import {
  edited,
  newestWithButton,
  press,
  userIdOf,
  zoneAtLocalHour,
} from '../helpers/again-steps.js';
import { packCallback } from '../../src/bot/callback-data.js';

/**
 * "Keep looking and notify me", in both languages. WAKING_HOURS is 09:00-23:00 and the sleeper
 * lives where it is 08:00 now: their standing request is proposed to nobody until their own
 * waking hours (/profile: 07:00-22:00) make it morning; then the partner who joined the pool
 * in the night is proposed to them, with the standing-proposal TTL, and they chat. A search
 * TTL of 3 s makes searches end with nobody found quickly.
 */
const CASES = [
  {
    language: 'en' as const,
    names: ['Ann', 'Ben', 'Cy'] as const,
    expired: /^Nobody matched within \d+ minutes/,
    started: /^I keep looking for up to 24 h and will notify you/,
    ended: /^I kept looking for 24 h and found nobody, so I stopped\./,
    stopped: /^Stopped: I am not looking for you any more\.$/,
    cancelled: /^Search stopped\./,
    chosen: /^Waking hours: 07:00–22:00, your time\.$/,
    intro: /chat is open/,
    slow: /their answer may take a while\.$/,
    resumed: /^Your break is over\./,
    deleted: /^Done: your data has been deleted\./,
  },
  {
    language: 'ru' as const,
    names: ['Аня', 'Борис', 'Вера'] as const,
    expired: /^За \d+ мин собеседник не нашёлся/,
    started: /^Ищу дальше, до 24 ч, и сообщу/,
    ended: /^Я искал 24 ч и никого не нашёл, поэтому остановился\./,
    stopped: /^Остановил: больше не ищу для вас собеседника\.$/,
    cancelled: /^Поиск остановлен\./,
    chosen: /^Часы бодрствования: 07:00–22:00 по вашему времени\.$/,
    intro: /Чат открыт/,
    slow: /ответ может занять время\.$/,
    resumed: /^Пауза закончена\./,
    deleted: /удалены/,
  },
];

const START = packCallback({ type: 'standing', action: 'start' });
const STOP = packCallback({ type: 'standing', action: 'stop' });
const STANDING_TTL_S = 600;

for (const c of CASES) {
  describe(`e2e: a standing request that respects sleep (${c.language})`, function () {
    this.timeout(120_000);
    let t: TestApp;
    let sleeper: EmulatedUser;
    let partner: EmulatedUser;
    let third: EmulatedUser;

    const searchState = (tgId: number) =>
      t.app.deps.db.oneFirst(sql.type(z.object({ state: z.string() }))`
        SELECT s.state FROM searches s JOIN users u ON u.id = s.user_id
        WHERE u.tg_id = ${tgId} ORDER BY s.requested_at DESC LIMIT 1`);

    /** /find, nobody matches within the search TTL, "Keep looking and notify me". */
    async function stand(user: EmulatedUser): Promise<number> {
      const last = Math.max(0, ...user.botMessages().map((m) => m.message_id));
      await user.sendCommand('find');
      const offer = await user.waitForBotMessage(
        (m) =>
          m.message_id > last &&
          c.expired.test(m.text ?? '') &&
          user.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === START),
        { timeoutMs: 15_000, since: 'beginning' },
      );
      await press(user, offer, START);
      await edited(user, offer.message_id, c.started);
      return offer.message_id;
    }

    before(async () => {
      t = await startTestApp({
        WAKING_HOURS: '09:00-23:00',
        SEARCH_TTL_MINUTES: '0.05',
        STANDING_PROPOSAL_TTL_SECONDS: String(STANDING_TTL_S),
      });
      const [a, b, d] = c.names;
      const person = (firstName: string, hour: number, topics: number[]) =>
        onboard(t.emulator, {
          firstName,
          languageCode: c.language,
          topics,
          timeZone: zoneAtLocalHour(hour).zone,
        });
      sleeper = await person(a, 8, [1, 2]);
      partner = await person(b, 13, [1, 2]);
      third = await person(d, 13, [3, 4]);
    });
    after(() => t?.stop());

    it('at night the standing request is proposed to nobody; in the morning it is', async () => {
      await stand(sleeper);
      const sleeperId = await userIdOf(t, sleeper.id);
      await eventually(
        async () =>
          (await t.app.deps.db.oneFirst(sql.type(z.object({ asleep: z.boolean() }))`
            SELECT asleep FROM standing_requests WHERE user_id = ${sleeperId}`)) === true,
        10_000,
        'the sweeper saw the sleeper asleep',
      );
      // The partner's search ends with nobody: the sleeper is skipped. They stand too.
      await stand(partner);
      await t.restartApp();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal(await searchState(sleeper.id), 'waiting');
      assert.equal(await searchState(partner.id), 'waiting');

      // Morning for the sleeper: their own waking hours begin at 07:00.
      const last = Math.max(0, ...sleeper.botMessages().map((m) => m.message_id));
      await sleeper.sendCommand('profile');
      const profile = await sleeper.waitForBotMessage(
        (m) =>
          m.message_id > last &&
          sleeper.inlineButtons(m).some((b) => 'callback_data' in b && b.callback_data === 'hours'),
        { timeoutMs: 10_000, since: 'beginning' },
      );
      await press(sleeper, profile, 'hours');
      const menu = await newestWithButton(sleeper, /^hours:0$/);
      await press(sleeper, menu, 'hours:0');
      await edited(sleeper, menu.message_id, c.chosen);

      const forSleeper = await expectProposal(sleeper, 15_000);
      const forPartner = await expectProposal(partner, 15_000);
      assert.equal(forSleeper.matchId, forPartner.matchId);
      // Both stand, so each card says the other may be slow to answer.
      assert.match(forSleeper.message.text ?? '', c.slow);
      assert.match(forPartner.message.text ?? '', c.slow);
      const ttl = await t.app.deps.db.oneFirst(sql.type(z.object({ ttl: z.number() }))`
        SELECT extract(epoch FROM expires_at - created_at)::float8 AS ttl
        FROM matches WHERE id = ${forSleeper.matchId}`);
      assert.ok(Math.abs(ttl - STANDING_TTL_S) < 1, `the standing TTL, not ${ttl} s`);
      const accept = packCallback({
        type: 'proposal',
        answer: 'accept',
        matchId: forSleeper.matchId,
      });
      await sleeper.pressButton(forSleeper.message.message_id, accept);
      await partner.pressButton(forPartner.message.message_id, accept);
      await expectMessage(sleeper, c.intro, 10_000);
      await expectMessage(partner, c.intro, 10_000);
    });

    it('/cancel and "Stop looking" end a standing request', async () => {
      await stand(third);
      await third.sendCommand('cancel');
      await expectMessage(third, c.cancelled, 10_000);
      assert.equal(await searchState(third.id), 'cancelled');
      const offer = await stand(third);
      assert.equal(await searchState(third.id), 'waiting');
      await press(
        third,
        third.botMessages().find((m) => m.message_id === offer)!,
        STOP,
      );
      await edited(third, offer, c.stopped);
      assert.equal(await searchState(third.id), 'cancelled');
    });

    it('ends by itself after STANDING_REQUEST_HOURS, with a notice', async () => {
      await stand(third);
      const thirdId = await userIdOf(t, third.id);
      // Its hours pass: the request's end moves to now, as 24 hours later it would be.
      await t.app.deps.db.query(sql.unsafe`
        UPDATE standing_requests SET until = now() WHERE user_id = ${thirdId}`);
      await expectMessage(third, c.ended, 10_000);
      assert.equal(await searchState(third.id), 'expired');
    });

    it('a pause ends a standing request; /delete forgets one', async () => {
      const thirdId = await userIdOf(t, third.id);
      await stand(third);
      await third.sendCommand('pause');
      const prompt = await newestWithButton(third, /^pause:1$/);
      await third.pressButton(prompt.message_id, 'pause:1');
      await eventually(
        async () => (await searchState(third.id)) === 'cancelled',
        10_000,
        'the pause ended the standing search',
      );
      await third.sendCommand('resume');
      await expectMessage(third, c.resumed, 10_000);
      await stand(third);
      await third.sendCommand('delete');
      const confirm = await newestWithButton(third, /^delete:yes$/);
      await third.pressButton(confirm.message_id, 'delete:yes');
      await expectMessage(third, c.deleted, 10_000);
      const left = await t.app.deps.db.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM standing_requests WHERE user_id = ${thirdId}`);
      assert.equal(left, 0);
    });
  });
}

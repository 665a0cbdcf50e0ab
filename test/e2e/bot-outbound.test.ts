import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { QUEUE_NAMES } from '../../src/redis/keys.js';
import { countMessages, expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

const state = z.object({ blocked: z.boolean(), searching: z.number(), pooled: z.number() });

/**
 * The outbound queue against Telegram's failures: a 429 is waited out and the message
 * arrives once; a 403 (or Telegram's my_chat_member notice) takes the user out of matching
 * and ends their chat; queued messages survive a restart and go out once.
 */
describe('e2e: outbound delivery', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const stateOf = (user: EmulatedUser) =>
    t.app.deps.db.one(sql.type(state)`
      SELECT u.bot_blocked_at IS NOT NULL AS blocked,
             (SELECT count(*)::int FROM searches s WHERE s.user_id = u.id
                AND s.state IN ('queued', 'waiting')) AS searching,
             (SELECT count(*)::int FROM waiting_pool w WHERE w.user_id = u.id) AS pooled
      FROM users u WHERE u.tg_id = ${user.id}`);
  const helpCalls = (user: EmulatedUser) =>
    t.emulator.calls(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.chat_id === user.id &&
        /^Команды:/.test(String(call.params.text)),
    );

  it('honours a 429 retry_after and delivers the message exactly once', async () => {
    const ada = await onboard(t.emulator, { firstName: 'Ada', topics: [1, 2] });
    t.emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });
    await ada.sendCommand('help');
    await expectMessage(ada, /^Команды:/, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(countMessages(ada, /^Команды:/), 1);
    const calls = helpCalls(ada);
    assert.deepEqual(
      calls.map((call) => call.errorCode ?? 'ok'),
      [429, 'ok'],
    );
    assert.ok(calls[1]!.at - calls[0]!.at >= 900, 'retried only after retry_after');
  });

  it('a 403 marks the user inactive, ends their search, and /start brings them back', async () => {
    const ben = await onboard(t.emulator, { firstName: 'Ben', topics: [3, 4] });
    await ben.sendCommand('find');
    await expectMessage(ben, /Ищу вам собеседника/);
    await eventually(async () => (await stateOf(ben)).pooled === 1);
    t.emulator.failNext('sendMessage', {
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await ben.sendCommand('help');
    await eventually(async () => (await stateOf(ben)).blocked, 10_000, 'marked inactive');
    assert.deepEqual(await stateOf(ben), { blocked: true, searching: 0, pooled: 0 });
    await ben.start();
    await eventually(async () => !(await stateOf(ben)).blocked, 10_000, 'active again');
  });

  it('blocking the bot (my_chat_member) does the same, and ends an open chat for the partner', async () => {
    const cat = await onboard(t.emulator, { firstName: 'Cat', topics: [5, 6] });
    const dov = await onboard(t.emulator, { firstName: 'Dov', topics: [5, 6] });
    await matchPair(cat, dov);
    await dov.blockBot();
    await expectMessage(cat, /Собеседник закончил чат/, 10_000);
    assert.equal((await stateOf(dov)).blocked, true);
    // Nothing more is sent to someone who blocked the bot. Messages queued before the block
    // (the chat's intro and rules go a second apart) may still be on their way: let them land.
    const queued = `${t.app.deps.keys.queuePrefix(QUEUE_NAMES.outbound)}:${QUEUE_NAMES.outbound}`;
    await eventually(async () => {
      const { redis } = t.app.deps;
      const [waiting, prioritized, delayed, active] = await Promise.all([
        redis.llen(`${queued}:wait`),
        redis.zcard(`${queued}:prioritized`),
        redis.zcard(`${queued}:delayed`),
        redis.llen(`${queued}:active`),
      ]);
      return waiting + prioritized + delayed + active === 0;
    }, 10_000);
    const before = t.emulator.calls((call) => call.params.chat_id === dov.id).length;
    const searching = countMessages(cat, /Ищу вам собеседника/);
    await cat.sendCommand('find');
    await eventually(
      () => countMessages(cat, /Ищу вам собеседника/) === searching + 1,
      10_000,
      'a new search',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(t.emulator.calls((call) => call.params.chat_id === dov.id).length, before);
    await cat.sendCommand('cancel');
  });

  it('a 403 on a relayed message ends the chat for the partner', async () => {
    const eve = await onboard(t.emulator, { firstName: 'Eve', topics: [7, 8] });
    const fox = await onboard(t.emulator, { firstName: 'Fox', topics: [7, 8] });
    await matchPair(eve, fox);
    t.emulator.failNext('copyMessage', {
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await eve.sendText('ты тут?');
    await expectMessage(eve, /Собеседник закончил чат/, 10_000);
    assert.equal((await stateOf(fox)).blocked, true);
  });

  it('messages queued when the process stops are delivered once after a restart', async () => {
    const gia = await onboard(t.emulator, { firstName: 'Gia', topics: [9, 10] });
    // A long flood wait holds the queue while the process goes down. Three faults, because
    // the worker may already be sending all three when the first 429 comes back.
    t.emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 4 }, 3);
    for (let i = 0; i < 3; i += 1) await gia.sendCommand('help');
    await eventually(() => helpCalls(gia).length >= 1, 10_000, 'the first attempt');
    await t.emulator.waitForUpdatesConsumed(10_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the handlers queue their replies
    await t.stopApp();
    assert.equal(countMessages(gia, /^Команды:/), 0, 'nothing delivered before the restart');
    await t.restartApp();
    await eventually(() => countMessages(gia, /^Команды:/) === 3, 20_000, 'three help messages');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(countMessages(gia, /^Команды:/), 3);
    assert.equal(helpCalls(gia).filter((call) => call.ok).length, 3);
  });
});

import { strict as assert } from 'node:assert';
import type { Update } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import { freePort } from '../../sim-kit/free-port.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countMessages,
  expectMessage,
  expectProposal,
  matchPair,
  onboard,
} from '../helpers/telegram-users.js';

const SECRET = 'webhook-secret-for-tests_0123456789';

/**
 * Webhook mode: the emulator pushes updates to the app's POST /telegram/webhook with the
 * secret header, as Telegram does. Checks the secret, de-duplication by update_id, the whole
 * flow, and a forged callback query from someone who is not in the proposal.
 */
describe('e2e: webhook mode', function () {
  this.timeout(120_000);
  let t: TestApp;
  let updateId = 900_000_000;

  before(async () => {
    const port = await freePort();
    t = await startTestApp({
      PORT: String(port),
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      WEBHOOK_SECRET: SECRET,
    });
  });
  after(() => t?.stop());

  const post = (update: Update, secret?: string) =>
    fetch(`${t.url}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(update),
    });

  it('registers the webhook with the secret and runs the whole flow through it', async () => {
    const info = t.emulator.webhookInfo();
    assert.equal(info.url, `${t.url}/telegram/webhook`);
    const alice = await onboard(t.emulator, { firstName: 'Alice', topics: [1, 2] });
    const bob = await onboard(t.emulator, { firstName: 'Bob', topics: [1, 2] });
    await matchPair(alice, bob);
    await alice.sendText('через вебхук');
    await bob.waitForBotMessage((m) => m.text === 'через вебхук', { timeoutMs: 10_000 });
    await bob.sendCommand('end');
    await expectMessage(alice, /Собеседник закончил чат/, 10_000);
    assert.ok(t.emulator.webhookStats().deliveries >= 10);
    assert.equal(t.emulator.calls('getUpdates').length, 0, 'no long polling in webhook mode');
  });

  it('refuses a request without the secret or with a wrong one (401)', async () => {
    const carl = await onboard(t.emulator, { firstName: 'Carl', topics: [3, 4] });
    const update: Update = {
      update_id: (updateId += 1),
      message: {
        message_id: 999_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: carl.id, type: 'private', first_name: 'Carl' },
        from: carl.user,
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    };
    for (const secret of [undefined, 'wrong-secret-0123456789']) {
      const response = await post(update, secret);
      assert.equal(response.status, 401);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'unauthorized');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(countMessages(carl, /^Команды:/), 0);
  });

  it('handles an update_id once, however often it arrives, and answers fast', async () => {
    const dina = await onboard(t.emulator, { firstName: 'Dina', topics: [5, 6] });
    const update: Update = {
      update_id: (updateId += 1),
      message: {
        message_id: 999_002,
        date: Math.floor(Date.now() / 1000),
        chat: { id: dina.id, type: 'private', first_name: 'Dina' },
        from: dina.user,
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    };
    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      const response = await post(update, SECRET);
      assert.equal(response.status, 200);
      assert.ok(Date.now() - started < 5_000, 'well within the 10 s webhook timeout');
    }
    await expectMessage(dina, /^Команды:/, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(countMessages(dina, /^Команды:/), 1);
  });

  it('a forged callback from a third user acts for nobody and is answered "not yours"', async () => {
    const { db } = t.app.deps;
    const eve = await onboard(t.emulator, { firstName: 'Eve', topics: [7, 8] });
    const fay = await onboard(t.emulator, { firstName: 'Fay', topics: [7, 8] });
    const mallory = await onboard(t.emulator, { firstName: 'Mallory', topics: [9, 10] });
    await eve.sendCommand('find');
    await fay.sendCommand('find');
    const proposal = await expectProposal(eve);
    await expectProposal(fay);
    const own = mallory.lastBotMessage()!;
    const editsBefore = t.emulator.calls((call) => call.params.chat_id === mallory.id).length;
    const forge = async (id: string, action: string) => {
      const response = await post(
        {
          update_id: (updateId += 1),
          callback_query: {
            id,
            from: mallory.user,
            message: own,
            chat_instance: 'forged',
            data: `match:${action}:${proposal.matchId}`,
          },
        },
        SECRET,
      );
      assert.equal(response.status, 200);
      const answer = t.emulator
        .calls('answerCallbackQuery')
        .find((call) => call.params.callback_query_id === id);
      assert.equal(answer?.params.text, 'Это предложение не для вас.');
    };
    await forge('forged-accept', 'accept');
    await forge('forged-decline', 'decline');
    const match = await db.one(sql.type(
      z.object({ status: z.string(), a: z.boolean(), b: z.boolean() }),
    )`SELECT status, accepted_a_at IS NOT NULL AS a, accepted_b_at IS NOT NULL AS b
      FROM matches WHERE id = ${proposal.matchId}`);
    assert.deepEqual(match, { status: 'proposed', a: false, b: false });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const editsAfter = t.emulator.calls((call) => call.params.chat_id === mallory.id).length;
    assert.equal(editsAfter, editsBefore, 'nothing sent or edited in the stranger’s chat');
    // The real participants still decide.
    await eve.pressButton(proposal.message.message_id, `match:decline:${proposal.matchId}`);
    await expectMessage(fay, /Собеседник пропустил предложение/, 10_000);
    // Once decided, a stranger still learns nothing about it.
    await forge('forged-late', 'accept');
    await eve.sendCommand('cancel');
    await fay.sendCommand('cancel');
  });
});

import { strict as assert } from 'node:assert';
import { Bot } from 'grammy';
import { createBotApiEmulator, type BotApiEmulator } from '@tete/bot-api-emulator';
import { createConcurrentPolling } from '../../src/bot/concurrent-polling.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../helpers/eventually.js';

/** A promise with its resolve handle: a handler held until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Waits until `check` stops throwing. */
const settles = (check: () => void) =>
  eventually(() => {
    check();
    return true;
  });

/**
 * Long polling through the Bot API emulator: updates of different chats are handled side by
 * side (a slow handler in one chat does not hold up another), while each chat's own updates
 * are handled one after another, in the order they were sent.
 */
describe('concurrent long polling', function () {
  this.timeout(30_000);
  let emulator: BotApiEmulator;
  let polling: ReturnType<typeof createConcurrentPolling> | undefined;

  beforeEach(async () => {
    emulator = createBotApiEmulator({ bot: { username: 'polling_test_bot', firstName: 'p' } });
    await emulator.start();
  });
  afterEach(async () => {
    await polling?.stop();
    polling = undefined;
    await emulator.stop();
  });

  function startPolling(
    onText: (chatId: number, text: string) => Promise<void>,
    concurrency = 4,
  ): Promise<void> {
    const bot = new Bot(emulator.token, {
      botInfo: emulator.botInfo,
      client: { apiRoot: emulator.apiRoot },
    });
    bot.on('message:text', (ctx) => onText(ctx.chat.id, ctx.message.text));
    polling = createConcurrentPolling(bot, {
      concurrency,
      allowedUpdates: ['message'],
      log: createLogger('silent'),
      timeoutSeconds: 1,
    });
    return polling.start();
  }

  it("handles another chat's update while one chat's handler is still running", async () => {
    const held = gate();
    const handled: string[] = [];
    await startPolling(async (chatId, text) => {
      if (text === 'slow') await held.opened;
      handled.push(`${chatId}:${text}`);
    });
    const alice = emulator.createUser({ firstName: 'Alice' });
    const bob = emulator.createUser({ firstName: 'Bob' });
    await alice.sendText('slow');
    await bob.sendText('quick');
    await settles(() => assert.deepEqual(handled, [`${bob.id}:quick`]));
    held.open();
    await settles(() => assert.deepEqual(handled, [`${bob.id}:quick`, `${alice.id}:slow`]));
  });

  it("keeps one chat's updates in the order they were sent", async () => {
    const held = gate();
    const started: string[] = [];
    const finished: string[] = [];
    await startPolling(async (_chatId, text) => {
      started.push(text);
      if (text === '1') await held.opened;
      finished.push(text);
    });
    const alice = emulator.createUser({ firstName: 'Alice' });
    for (const text of ['1', '2', '3']) await alice.sendText(text);
    await settles(() => assert.deepEqual(started, ['1']));
    // The later lines wait for the first, however long it takes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(started, ['1']);
    held.open();
    await settles(() => assert.deepEqual(finished, ['1', '2', '3']));
  });

  it('stops only once the updates already taken are handled', async () => {
    const held = gate();
    const finished: string[] = [];
    await startPolling(async (_chatId, text) => {
      await held.opened;
      finished.push(text);
    });
    const alice = emulator.createUser({ firstName: 'Alice' });
    await alice.sendText('last');
    await settles(() => assert.equal(emulator.pendingUpdates(), 0));
    const stopping = polling!.stop();
    held.open();
    await stopping;
    polling = undefined;
    assert.deepEqual(finished, ['last']);
  });
});

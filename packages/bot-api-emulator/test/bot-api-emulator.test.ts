import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrammyError, HttpError, InlineKeyboard, webhookCallback, type Bot } from 'grammy';
import { createBotApiEmulator, type BotApiEmulator } from '../src/index.js';
import { emulatedBot, startPolling, type RunningBot } from './emulator-bot.js';

const isGrammyError = (code: number, description: string | RegExp) => (error: unknown) =>
  error instanceof GrammyError &&
  error.error_code === code &&
  (typeof description === 'string'
    ? error.description === description
    : description.test(error.description));

describe('Bot API emulator driving a real grammY bot (long polling)', () => {
  let emulator: BotApiEmulator;
  let running: RunningBot;
  let seenUpdates: string[];

  before(async () => {
    emulator = createBotApiEmulator();
    await emulator.start();
    seenUpdates = [];
    running = await startPolling(emulator, (bot) => {
      bot.use(async (ctx, next) => {
        seenUpdates.push(Object.keys(ctx.update).find((key) => key !== 'update_id')!);
        await next();
      });
      bot.command('start', (ctx) => ctx.reply(`Hello, ${ctx.from!.first_name}`));
      bot.command('menu', (ctx) =>
        ctx.reply('Tea or coffee?', {
          reply_markup: new InlineKeyboard().text('Tea', 'pick:tea').text('Coffee', 'pick:coffee'),
        }),
      );
      bot.callbackQuery(/^pick:(.+)$/, async (ctx) => {
        await ctx.answerCallbackQuery({ text: `${ctx.match[1]} it is` });
        await ctx.editMessageText(`You picked ${ctx.match[1]}`);
      });
      bot.on('edited_message:text', (ctx) => ctx.reply(`edited: ${ctx.editedMessage.text}`));
      bot.on('message:photo', (ctx) => ctx.copyMessage(Number(ctx.message.caption)));
      bot.hears('ping', (ctx) => ctx.reply('pong'));
    });
  });

  after(async () => {
    await running?.stop();
    await emulator?.stop();
  });

  it('delivers a /start command through getUpdates and shows the reply to the user', async () => {
    const alice = emulator.createUser({ firstName: 'Alice', username: 'alice' });
    const sent = await alice.start();
    assert.deepEqual(sent.entities, [{ type: 'bot_command', offset: 0, length: 6 }]);
    const reply = await alice.waitForBotMessage((message) => message.text === 'Hello, Alice');
    assert.equal(reply.chat.id, alice.chatId);
    assert.equal(reply.from?.id, emulator.botInfo.id);
    assert.deepEqual(
      alice.messages().map((message) => message.text),
      ['/start', 'Hello, Alice'],
    );
    const poll = emulator.calls('getUpdates').at(-1)!;
    assert.equal(poll.params.timeout, 30, 'grammY long-polls with timeout 30');
  });

  it('turns a button press into a callback_query and records answerCallbackQuery', async () => {
    const bob = emulator.createUser({ firstName: 'Bob' });
    await bob.start();
    await bob.sendCommand('menu');
    const menu = await bob.waitForBotMessage((message) => message.text === 'Tea or coffee?');
    assert.deepEqual(
      bob.inlineButtons(menu).map((button) => button.text),
      ['Tea', 'Coffee'],
    );
    const queryId = await bob.pressButton(menu.message_id, 'pick:tea');
    assert.deepEqual(await bob.waitForCallbackAnswer(queryId), { text: 'tea it is' });
    const edited = await bob.waitForBotMessage((message) => message.edit_date !== undefined);
    assert.equal(edited.text, 'You picked tea');
    assert.equal(edited.reply_markup, undefined, 'editing without reply_markup drops the keyboard');
    const answer = emulator.calls('answerCallbackQuery').at(-1)!;
    assert.equal(answer.params.callback_query_id, queryId);
    assert.equal(answer.ok, true);
    assert.ok(seenUpdates.includes('callback_query'));
    await assert.rejects(
      bob.pressButton(menu.message_id, 'pick:tea'),
      /has no inline button with callback_data "pick:tea"; buttons: none/,
    );
    await assert.rejects(
      running.bot.api.answerCallbackQuery(queryId),
      isGrammyError(
        400,
        'Bad Request: query is too old and response timeout expired or query ID is invalid',
      ),
    );
  });

  it('sends edited_message for user edits and refuses an edit that changes nothing', async () => {
    const carol = emulator.createUser({ firstName: 'Carol' });
    const original = await carol.sendText('hello');
    await carol.editText(original.message_id, 'hello again');
    await carol.waitForBotMessage((message) => message.text === 'edited: hello again');
    assert.equal(carol.messages()[0]?.text, 'hello again');

    const api = running.bot.api;
    const sent = await api.sendMessage(carol.chatId, 'Same', {
      reply_markup: new InlineKeyboard().text('A', 'a'),
    });
    await assert.rejects(
      api.editMessageText(carol.chatId, sent.message_id, 'Same', {
        reply_markup: new InlineKeyboard().text('A', 'a'),
      }),
      isGrammyError(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      ),
    );
    await assert.rejects(
      api.editMessageText(carol.chatId, 999, 'x'),
      isGrammyError(400, 'Bad Request: message to edit not found'),
    );
    await api.deleteMessage(carol.chatId, sent.message_id);
    assert.equal(
      carol.botMessages().some((message) => message.message_id === sent.message_id),
      false,
    );
  });

  it('copies a photo without a forward header; forwardMessage adds one', async () => {
    const dan = emulator.createUser({ firstName: 'Dan' });
    const eve = emulator.createUser({ firstName: 'Eve' });
    await eve.start();
    const photo = await dan.sendPhoto({ caption: String(eve.chatId) });
    const copy = await eve.waitForBotMessage((message) => message.photo !== undefined);
    assert.deepEqual(copy.photo, photo.photo);
    assert.equal(copy.caption, String(eve.chatId));
    assert.equal(copy.forward_origin, undefined);
    assert.equal(copy.from?.id, emulator.botInfo.id);
    const copyCall = emulator.calls('copyMessage').at(-1)!;
    assert.deepEqual(copyCall.result, { message_id: copy.message_id });

    const forwarded = await running.bot.api.forwardMessage(
      eve.chatId,
      dan.chatId,
      photo.message_id,
    );
    assert.deepEqual(forwarded.forward_origin, {
      type: 'user',
      sender_user: dan.user,
      date: photo.date,
    });
  });

  it('reports an injected 429 as a GrammyError with retry_after, then recovers', async () => {
    const frank = emulator.createUser({ firstName: 'Frank' });
    await frank.start();
    emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 7 });
    await assert.rejects(running.bot.api.sendMessage(frank.chatId, 'hi'), (error: unknown) => {
      assert.ok(error instanceof GrammyError);
      assert.equal(error.error_code, 429);
      assert.equal(error.description, 'Too Many Requests: retry after 7');
      assert.equal(error.parameters.retry_after, 7);
      return true;
    });
    const failed = emulator.calls('sendMessage').at(-1)!;
    assert.equal(failed.ok, false);
    assert.equal(failed.errorCode, 429);
    await running.bot.api.sendMessage(frank.chatId, 'hi');

    emulator.failNext('sendMessage', { dropConnection: true });
    await assert.rejects(
      running.bot.api.sendMessage(frank.chatId, 'hi'),
      (error) => error instanceof HttpError,
    );
  });

  it('tells the bot about a block (my_chat_member) and answers 403 while blocked', async () => {
    const gina = emulator.createUser({ firstName: 'Gina' });
    await gina.start();
    await gina.waitForBotMessage();
    const before = seenUpdates.length;
    await gina.blockBot();
    await emulator.waitForUpdatesConsumed();
    assert.ok(seenUpdates.slice(before).includes('my_chat_member'));
    await assert.rejects(
      running.bot.api.sendMessage(gina.chatId, 'still there?'),
      isGrammyError(403, 'Forbidden: bot was blocked by the user'),
    );
    await assert.rejects(gina.sendText('hi'), /has blocked the bot/);
    await gina.start();
    await gina.waitForBotMessage((message) => message.text === 'Hello, Gina');
    assert.equal(gina.status, 'open');
  });

  it('answers "chat not found" for unknown chats and 403 for users who never started', async () => {
    const api = running.bot.api;
    await assert.rejects(
      api.sendMessage(424242, 'hi'),
      isGrammyError(400, 'Bad Request: chat not found'),
    );
    const shy = emulator.createUser({ firstName: 'Shy' });
    await assert.rejects(
      api.sendMessage(shy.chatId, 'hi'),
      isGrammyError(403, "Forbidden: bot can't initiate conversation with a user"),
    );
  });

  it('validates like Telegram: callback data, text length, markup', async () => {
    const hal = emulator.createUser({ firstName: 'Hal' });
    await hal.start();
    const api = running.bot.api;
    await assert.rejects(
      api.sendMessage(hal.chatId, 'pick', {
        reply_markup: new InlineKeyboard().text('Too long', 'x'.repeat(65)),
      }),
      isGrammyError(400, 'Bad Request: BUTTON_DATA_INVALID'),
    );
    await assert.rejects(
      api.sendMessage(hal.chatId, '   '),
      isGrammyError(400, 'Bad Request: message text is empty'),
    );
    await assert.rejects(
      api.sendMessage(hal.chatId, 'x'.repeat(4097)),
      isGrammyError(400, 'Bad Request: message is too long'),
    );
    await assert.rejects(
      api.sendMessage(hal.chatId, 'Price: 5.00', { parse_mode: 'MarkdownV2' }),
      isGrammyError(400, /^Bad Request: can't parse entities: Character '\.' is reserved/),
    );
    const html = await api.sendMessage(hal.chatId, '<b>bold</b> &amp; <i>it</i>', {
      parse_mode: 'HTML',
    });
    assert.equal(html.text, 'bold & it');
    assert.deepEqual(html.entities, [
      { type: 'bold', offset: 0, length: 4 },
      { type: 'italic', offset: 7, length: 2 },
    ]);
  });

  it('rejects waitForBotMessage after the timeout, listing what did arrive', async () => {
    const ivy = emulator.createUser({ firstName: 'Ivy', username: 'ivy' });
    await ivy.start();
    await ivy.sendText('ping');
    await ivy.waitForBotMessage((message) => message.text === 'pong');
    await assert.rejects(
      ivy.waitForBotMessage((message) => message.text === 'never', 200),
      (error: Error) => {
        assert.match(error.message, /no matching bot message in chat \d+ \(@ivy\) within 200 ms/);
        assert.match(error.message, /sent: #\d+ text "pong"/);
        return true;
      },
    );
  });
});

describe('Bot API emulator delivering to a grammY webhook', () => {
  const secret = 'webhook-secret_123';
  let emulator: BotApiEmulator;
  let bot: Bot;
  let server: Server;
  let received: { secret: string | undefined; status: number }[];
  let handledTexts: string[];

  before(async () => {
    emulator = createBotApiEmulator({ webhook: { initialRetryDelayMs: 20 } });
    await emulator.start();
    bot = emulatedBot(emulator);
    handledTexts = [];
    bot.on('message:text', async (ctx) => {
      handledTexts.push(ctx.message.text);
      await ctx.reply(`got ${ctx.message.text}`);
    });
    const handle = webhookCallback(bot, 'http', { secretToken: secret });
    received = [];
    server = createServer((request, response) => {
      const header = request.headers['x-telegram-bot-api-secret-token'];
      const entry = { secret: typeof header === 'string' ? header : undefined, status: 200 };
      received.push(entry);
      if (received.length === 1) {
        // The first delivery fails; Telegram (and the emulator) must retry it first.
        entry.status = 500;
        request.resume();
        response.writeHead(500).end();
        return;
      }
      void handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await emulator?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('POSTs each update with the secret header, retries a 500 and keeps the order', async () => {
    const { port } = server.address() as AddressInfo;
    await bot.api.setWebhook(`http://127.0.0.1:${port}/telegram`, { secret_token: secret });
    const zoe = emulator.createUser({ firstName: 'Zoe' });
    await zoe.sendText('one');
    await zoe.sendText('two');
    await zoe.sendText('three');
    await zoe.waitForBotMessage((message) => message.text === 'got three');
    // The reply goes out while the third delivery is still open; wait for its 200.
    await emulator.waitForUpdatesConsumed();
    assert.deepEqual(handledTexts, ['one', 'two', 'three']);
    assert.deepEqual(
      received.map((entry) => entry.status),
      [500, 200, 200, 200],
    );
    assert.ok(received.every((entry) => entry.secret === secret));
    const stats = emulator.webhookStats();
    assert.equal(stats.failures, 1);
    assert.equal(stats.deliveries, 3);
    const info = await bot.api.getWebhookInfo();
    assert.equal(info.pending_update_count, 0);
    assert.match(info.last_error_message ?? '', /^Wrong response from the webhook: 500/);
  });

  it('refuses getUpdates with 409 while the webhook is set', async () => {
    await assert.rejects(
      bot.api.getUpdates(),
      isGrammyError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      ),
    );
    await bot.api.deleteWebhook();
    assert.deepEqual(await bot.api.getUpdates({ timeout: 0 }), []);
  });
});

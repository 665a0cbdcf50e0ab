import { strict as assert } from 'node:assert';
import { Markup, Telegraf } from 'telegraf';
import { createBotApiEmulator, type BotApiEmulator } from '../src/index.js';

describe('Bot API emulator driving a real Telegraf bot (long polling)', () => {
  let emulator: BotApiEmulator;
  let bot: Telegraf;
  let polling: Promise<void>;

  before(async () => {
    emulator = createBotApiEmulator({ bot: { username: 'telegraf_test_bot', firstName: 'T' } });
    await emulator.start();
    bot = new Telegraf(emulator.token, { telegram: { apiRoot: emulator.apiRoot } });
    bot.start((ctx) =>
      ctx.reply(
        `Hello, ${ctx.from.first_name}`,
        Markup.inlineKeyboard([Markup.button.callback('Tea', 'pick:tea')]),
      ),
    );
    bot.action(/^pick:(\w+)$/, async (ctx) => {
      await ctx.answerCbQuery(`${ctx.match[1]} it is`);
      await ctx.editMessageText(`You picked ${ctx.match[1]}`);
    });
    bot.on('text', (ctx) => ctx.reply(`You said: ${ctx.message.text}`));
    let launched!: () => void;
    const ready = new Promise<void>((resolve) => (launched = resolve));
    polling = bot.launch(() => launched());
    await ready;
  });

  after(async () => {
    bot.stop('test over');
    await polling;
    await emulator.stop();
  });

  it('answers /start, a button press with an edit, and plain text, as Telegram would', async () => {
    const alice = emulator.createUser({ firstName: 'Alice' });
    await alice.start();
    const hello = await alice.waitForBotMessage((message) => message.text === 'Hello, Alice');
    assert.deepEqual(
      alice.inlineButtons(hello).map((button) => button.text),
      ['Tea'],
    );
    const queryId = await alice.pressButton(hello.message_id, 'pick:tea');
    assert.deepEqual(await alice.waitForCallbackAnswer(queryId), { text: 'tea it is' });
    const edited = await alice.waitForBotMessage(
      (message) => message.message_id === hello.message_id && message.edit_date !== undefined,
    );
    assert.equal(edited.text, 'You picked tea');
    await alice.sendText('hi there');
    await alice.waitForBotMessage((message) => message.text === 'You said: hi there');
    assert.ok(emulator.calls('getUpdates').length > 0, 'Telegraf long-polls the emulator');
  });
});

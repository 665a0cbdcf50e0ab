import { strict as assert } from 'node:assert';
import { createBotApiEmulator, type BotApiEmulator } from '@tete/bot-api-emulator';
import { createScratchDatabase } from '../helpers/databases.js';
import { spawnTs, type Spawned } from '../helpers/process.js';
import { TEST_REDIS_ENV, TEST_REDIS_PREFIX } from '../helpers/services.js';
import { expectMessage, matchPair, onboard } from '../helpers/telegram-users.js';

/**
 * The "done when": `npm start`-style startup (src/main.ts in its own process, every
 * role, default throttling) with BOT_TOKEN and TELEGRAM_API_ROOT pointing at an emulator runs
 * the whole flow for two clients, then shuts down cleanly on SIGTERM.
 */
describe('the service process with a bot (src/main.ts + emulator)', function () {
  this.timeout(180_000);
  let emulator: BotApiEmulator;
  let run: Spawned | undefined;

  before(async () => {
    // Telegram's flood limits on: with the default throttling the bot must never hit them.
    emulator = createBotApiEmulator({
      bot: { username: 'tete_main_bot', firstName: 'tete' },
      floodLimit: true,
    });
    await emulator.start();
  });
  after(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    await emulator.stop();
  });

  it('onboards, matches, relays and ends a chat for two clients, then exits 0', async () => {
    run = spawnTs('src/main.ts', {
      DATABASE_URL: await createScratchDatabase(),
      ...TEST_REDIS_ENV,
      REDIS_PREFIX: `${TEST_REDIS_PREFIX}main-bot:`,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
    });
    const started = await run.waitFor(/"msg":"bot started"/, 60_000);
    assert.match(started, /"mode":"polling"/);
    await run.waitFor(/tete started/, 60_000);
    // The identity came from getMe, and the command menu was set in both languages.
    assert.equal(emulator.calls('getMe').length >= 1, true);
    const menus = emulator.calls('setMyCommands').map((call) => call.params.language_code);
    assert.ok(menus.includes('ru') && menus.includes('en'));

    const [alice, bob] = await Promise.all([
      onboard(emulator, { firstName: 'Alice', topics: [1, 2, 3], timeoutMs: 30_000 }),
      onboard(emulator, {
        firstName: 'Bob',
        languageCode: 'en',
        topics: [2, 3],
        timeoutMs: 30_000,
      }),
    ]);
    await matchPair(alice, bob, 60_000);
    await expectMessage(alice, /Чат открыт! Ваш собеседник — Bob/, 30_000);
    await expectMessage(bob, /The chat is open! You are talking to Alice/, 30_000);
    await alice.sendText('Привет из отдельного процесса');
    await bob.waitForBotMessage((m) => m.text === 'Привет из отдельного процесса', {
      timeoutMs: 30_000,
    });
    await bob.sendCommand('end');
    await expectMessage(alice, /Собеседник закончил чат/, 30_000);
    await expectMessage(bob, /Was this conversation helpful\?/, 30_000);

    assert.deepEqual(
      emulator.calls((call) => call.errorCode === 429),
      [],
      'no flood limit hit',
    );
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /"msg":"stopped"/);
    assert.doesNotMatch(run.output(), new RegExp(emulator.token.split(':')[1]!));
  });
});

import { Bot } from 'grammy';
import type { BotApiEmulator } from '../src/index.js';

/** A grammY bot wired to the emulator, plus a stop that waits for the polling loop to end. */
export interface RunningBot {
  bot: Bot;
  stop(): Promise<void>;
}

/** Creates a real grammY bot that talks to the emulator over HTTP. */
export function emulatedBot(emulator: BotApiEmulator): Bot {
  return new Bot(emulator.token, {
    botInfo: emulator.botInfo,
    client: { apiRoot: emulator.apiRoot },
  });
}

/** Installs handlers, starts long polling and resolves once the first getUpdates is out. */
export async function startPolling(
  emulator: BotApiEmulator,
  install: (bot: Bot) => void,
): Promise<RunningBot> {
  const bot = emulatedBot(emulator);
  install(bot);
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const loop = bot.start({ onStart: () => started() }).catch(() => undefined);
  await ready;
  return {
    bot,
    stop: async () => {
      if (bot.isRunning()) await bot.stop();
      await loop;
    },
  };
}

import { GrammyError, type Bot } from 'grammy';
import type { Logger } from '../logger.js';
import { waitFor } from '../startup/wait-for.js';
import type { BotContext } from './context.js';

export interface BotApiStartOptions {
  /** TELEGRAM_API_ROOT: where the Bot API was looked for (it holds no token). */
  apiRoot: string;
  timeoutMs: number;
  log: Logger;
}

/** Telegram refusing the token or the request: asking again will not change its mind. */
const isRefusal = (error: unknown) =>
  error instanceof GrammyError && error.error_code < 500 && error.error_code !== 429;

/**
 * Runs a start-up call to the Bot API (getMe, the command menu, setWebhook) within
 * STARTUP_TIMEOUT_SECONDS, retrying while Telegram is unreachable or failing and giving up at
 * once when it refuses.
 * @throws StartupError saying why, e.g. "Telegram Bot API at https://api.telegram.org did
 * not answer".
 */
export function callBotApiAtStart(
  call: (signal: AbortSignal) => Promise<unknown>,
  options: BotApiStartOptions,
): Promise<void> {
  return waitFor(call, {
    service: 'Telegram Bot API',
    where: options.apiRoot,
    timeoutMs: options.timeoutMs,
    log: options.log,
    isFinal: isRefusal,
  });
}

/** Fetches the bot's identity (unless known) and registers its command menu. */
export async function startBotApi(
  bot: Bot<BotContext>,
  registerCommands: (bot: Bot<BotContext>) => Promise<void>,
  options: BotApiStartOptions,
): Promise<void> {
  // grammY types its signal with a polyfill's AbortSignal; at run time it takes Node's.
  type GrammySignal = Parameters<typeof bot.init>[0];
  await callBotApiAtStart((signal) => bot.init(signal as unknown as GrammySignal), options);
  await callBotApiAtStart(() => registerCommands(bot), options);
}

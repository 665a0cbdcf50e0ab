import type { BotError } from 'grammy';
import { isUnavailable } from '../errors.js';
import type { BotContext } from './context.js';

/**
 * Wraps the bot's error handler so that an outage (PostgreSQL or Redis away) passes the
 * boundary instead of being answered with "something went wrong": in webhook mode the update
 * is then answered 503 and Telegram delivers it again once the dependency is back. In long
 * polling grammY hands it to `bot.catch`, which reports it as before.
 */
export function passOutages(
  report: (error: BotError<BotContext>) => Promise<void>,
): (error: BotError<BotContext>) => Promise<void> {
  return async (error) => {
    if (isUnavailable(error.error)) throw error.error;
    await report(error);
  };
}

import type { NextFunction } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { TEXTS, languageOf } from '../i18n/index.js';

/** Puts the dependencies, the sender's user row and their texts on the context. */
export function loadUser(deps: BotDeps) {
  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    ctx.deps = deps;
    ctx.user = ctx.from ? await deps.users.byTelegramId(ctx.from.id) : null;
    // Someone who blocked the bot and now writes or presses a button has unblocked it.
    if (ctx.user?.bot_blocked_at && (ctx.message || ctx.callbackQuery)) {
      await deps.users.reactivate(ctx.user.id);
      ctx.user = { ...ctx.user, bot_blocked_at: null };
    }
    ctx.t = TEXTS[ctx.user?.language ?? languageOf(ctx.from?.language_code)];
    await next();
  };
}

import type { NextFunction } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { TEXTS, languageOf } from '../i18n/index.js';

/** Puts the dependencies, the sender's user row and their texts on the context. */
export function loadUser(deps: BotDeps) {
  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    ctx.deps = deps;
    ctx.user = ctx.from ? await deps.users.byTelegramId(ctx.from.id) : null;
    ctx.t = TEXTS[ctx.user?.language ?? languageOf(ctx.from?.language_code)];
    await next();
  };
}

import type { NextFunction } from 'grammy';
import { getUserByTelegramId } from '../../db/queries/users.js';
import type { BotContext, BotDeps } from '../context.js';
import { TEXTS, languageOf } from '../i18n/index.js';

/** Puts the dependencies, the sender's user row and their texts on the context. */
export function loadUser(deps: BotDeps, db: Parameters<typeof getUserByTelegramId>[0]) {
  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    ctx.deps = deps;
    ctx.user = ctx.from ? await getUserByTelegramId(db, ctx.from.id) : null;
    ctx.t = TEXTS[ctx.user?.language ?? languageOf(ctx.from?.language_code)];
    await next();
  };
}

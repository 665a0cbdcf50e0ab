import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { acceptedKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed } from '../reply.js';

/**
 * The proposal buttons. The acting user is always the one who pressed (callback_query.from),
 * never anything in callback_data, so a forwarded or forged button acts for nobody else.
 */
export const proposals = new Composer<BotContext>();

proposals.callbackQuery(/^match:(accept|decline):(\d{1,15})$/, async (ctx) => {
  const action = ctx.match[1] === 'accept' ? 'accept' : 'decline';
  const matchId = Number(ctx.match[2]);
  if (!ctx.user) return answer(ctx, ctx.t.notYours);
  let status;
  try {
    status = await ctx.deps.matching.confirm(matchId, ctx.user.id, action);
  } catch (error) {
    if (error instanceof AppError && (error.code === 'forbidden' || error.code === 'not_found')) {
      return answer(ctx, ctx.t.notYours);
    }
    throw error;
  }
  await answer(ctx);
  const text = {
    waiting: ctx.t.waitingForOther,
    active: ctx.t.matched,
    declined: ctx.t.skipped,
    expired: ctx.t.proposalExpired,
  }[status];
  // While waiting, "Skip" stays so the user can still change their mind.
  const buttons = status === 'waiting' ? acceptedKeyboard(ctx.t, matchId) : { inline_keyboard: [] };
  await editPressed(ctx, text, { reply_markup: buttons });
});

import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { standingKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';
import { sayFindRefused } from './search.js';

/**
 * "Keep looking and notify me" under a search that found nobody, and its "Stop looking".
 * /cancel ends a standing request like any search.
 */
export const standing = new Composer<BotContext>();

onButton(standing, 'standing', async (ctx, { action }) => {
  await answer(ctx);
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  if (action === 'stop') {
    try {
      await ctx.deps.standing.stop(ctx.user.id);
    } catch (error) {
      if (error instanceof AppError && error.code === 'busy') return say(ctx, ctx.t.busyProposal);
      throw error;
    }
    return editPressed(ctx, ctx.t.standingStopped, { reply_markup: { inline_keyboard: [] } });
  }
  try {
    const { hours } = await ctx.deps.standing.start(ctx.user.id);
    // The "nobody matched" message becomes the answer, with "Stop looking" in place of the offer.
    await editPressed(ctx, ctx.t.standingStarted(hours), {
      reply_markup: standingKeyboard(ctx.t, 'stop'),
    });
  } catch (error) {
    return sayFindRefused(ctx, error);
  }
});

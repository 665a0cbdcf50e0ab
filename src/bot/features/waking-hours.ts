import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { formatWakingHours, wakingHoursKeyboard } from '../keyboards/keyboards.js';
import { WAKING_PRESETS } from '../../time/personal-hours.js';
import { answer, editPressed, say } from '../reply.js';

/**
 * Waking hours in /profile: a few presets or the service's default. Nothing is proposed or
 * sent to the person outside them, unless it answers what they just did (see the night rule).
 */
export const wakingHours = new Composer<BotContext>();

onButton(wakingHours, 'hours', async (ctx, { choice }) => {
  const user = ctx.user;
  if (!user) return answer(ctx, ctx.t.rulesFirst);
  if (choice === 'menu') {
    const { hours, own } = await ctx.deps.wakingHours.get(user.id);
    await answer(ctx);
    return say(ctx, ctx.t.hoursPrompt(formatWakingHours(hours)), {
      reply_markup: wakingHoursKeyboard(ctx.t, WAKING_PRESETS, own ? hours : null),
    });
  }
  const chosen = choice === 'default' ? null : WAKING_PRESETS[choice];
  if (chosen === undefined) return answer(ctx, ctx.t.notYours);
  await ctx.deps.wakingHours.set(user.id, chosen);
  const { hours } = await ctx.deps.wakingHours.get(user.id);
  await answer(ctx);
  // The question is answered: it shows the choice, and its buttons go.
  await editPressed(ctx, ctx.t.hoursSaved(formatWakingHours(hours)), {
    reply_markup: { inline_keyboard: [] },
  });
});

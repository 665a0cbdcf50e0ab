import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { pauseKeyboard } from '../keyboards/keyboards.js';
import { answer, editPressed, say } from '../reply.js';

/** /pause (1 day, 3 days, 1 week) and /resume: a break from searches and proposals. */
export const pause = new Composer<BotContext>();

/** When a pause ends, in the person's own zone and language ("3 December, 14:05"). */
export function formatUntil(ctx: BotContext, until: Date): string {
  const options: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  };
  const locale = ctx.user?.language === 'en' ? 'en-GB' : 'ru-RU';
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: ctx.user?.tz }).format(until);
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(until);
  }
}

/** The answer to "Find" while paused: until when, and how to come back now. */
export async function sayPaused(ctx: BotContext): Promise<void> {
  if (!ctx.user) return;
  const until = await ctx.deps.pauses.pausedUntil(ctx.user.id);
  // The pause ran out between the refusal and this read: "Find" works again.
  if (!until) return say(ctx, ctx.t.resumed);
  await say(ctx, ctx.t.pausedFind(formatUntil(ctx, until)));
}

pause.command('pause', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  const until = await ctx.deps.pauses.pausedUntil(ctx.user.id);
  const text = until ? ctx.t.pausedPrompt(formatUntil(ctx, until)) : ctx.t.pausePrompt;
  await say(ctx, text, { reply_markup: pauseKeyboard(ctx.t, until !== null) });
});

onButton(pause, 'pause', async (ctx, { days }) => {
  await answer(ctx);
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  const { until, stopped } = await ctx.deps.pauses.pause(ctx.user.id, days);
  const done = ctx.t.pauseDone(formatUntil(ctx, until));
  await editPressed(ctx, stopped ? `${done}\n${ctx.t.pauseStoppedSearch}` : done, {
    reply_markup: { inline_keyboard: [] },
  });
});

async function resume(ctx: BotContext): Promise<boolean> {
  if (!ctx.user) return false;
  return ctx.deps.pauses.resume(ctx.user.id);
}

pause.command('resume', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.rulesFirst);
  await say(ctx, (await resume(ctx)) ? ctx.t.resumed : ctx.t.notPaused);
});

onButton(pause, 'resume', async (ctx) => {
  await answer(ctx);
  const text = (await resume(ctx)) ? ctx.t.resumed : ctx.t.notPaused;
  await editPressed(ctx, text, { reply_markup: { inline_keyboard: [] } });
});

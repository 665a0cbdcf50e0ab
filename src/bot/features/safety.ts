import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { expectReply } from '../conversation.js';
import { mainKeyboard } from '../keyboards/keyboards.js';
import { say } from '../reply.js';
import { reportToAdmins } from './moderation.js';

/** /block and /report, during a chat or about the most recent one. */
export const safety = new Composer<BotContext>();

safety.command('block', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.blockNothing);
  try {
    await ctx.deps.safety.blockLastPartner(ctx.user.id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found')
      return say(ctx, ctx.t.blockNothing);
    throw error;
  }
  await say(ctx, ctx.t.blockDone, { reply_markup: mainKeyboard(ctx.t) });
});

safety.command('report', async (ctx) => {
  if (!ctx.user) return say(ctx, ctx.t.reportNothing);
  const reason = ctx.match.trim();
  if (!reason) {
    if (!(await ctx.deps.chats.lastChatOf(ctx.user.id))) return say(ctx, ctx.t.reportNothing);
    await expectReply(ctx, 'report');
    return say(ctx, ctx.t.reportPrompt);
  }
  await fileReport(ctx, reason);
});

/** Stores a report with its reason; used by /report and by the typed answer to its prompt. */
export async function fileReport(ctx: BotContext, reason: string): Promise<void> {
  if (!ctx.user) return;
  let reportId: number | null;
  try {
    ({ reportId } = await ctx.deps.safety.reportLastPartner(ctx.user.id, reason));
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found')
      return say(ctx, ctx.t.reportNothing);
    throw error;
  }
  await say(ctx, ctx.t.reportDone, { reply_markup: mainKeyboard(ctx.t) });
  if (reportId !== null) await reportToAdmins(ctx, reportId);
}

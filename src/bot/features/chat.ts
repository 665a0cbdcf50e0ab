import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { onButton } from '../callback-data.js';
import { TEXTS } from '../i18n/index.js';
import { answer, say } from '../reply.js';

/** /end, the "End chat" button and the rating after a chat. Relaying is in relay.ts. */
export const chat = new Composer<BotContext>();

const END_BUTTONS = [TEXTS.ru.endButton, TEXTS.en.endButton];

async function end(ctx: BotContext): Promise<void> {
  if (!ctx.user) return say(ctx, ctx.t.notInChat);
  const active = await ctx.deps.chats.activeChatOf(ctx.user.id);
  if (!active) return say(ctx, ctx.t.notInChat);
  await ctx.deps.chats.endChat(active.session.match_id, ctx.user.id, 'user');
}

chat.command('end', end);
chat.hears(END_BUTTONS, end);

onButton(chat, 'rate', async (ctx, { matchId, stars }) => {
  if (!ctx.user) return answer(ctx);
  try {
    await ctx.deps.chats.rate(matchId, ctx.user.id, stars);
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') {
      return answer(ctx, ctx.t.feedbackClosed);
    }
    if (error instanceof AppError && error.code === 'forbidden') return answer(ctx, ctx.t.notYours);
    throw error;
  }
  // The button's answer says it; an edit would spend one of the bot's messages on a thank-you.
  await answer(ctx, `${ctx.t.feedbackThanks} ${'★'.repeat(stars)}`);
});

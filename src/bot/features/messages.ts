import { Composer } from 'grammy';
import type { BotContext } from '../context.js';
import { takeExpected } from '../conversation.js';
import { say } from '../reply.js';
import { relay } from './chat.js';
import { saveTimeZone } from './onboarding.js';
import { fileReport } from './safety.js';

/**
 * Everything that is not a command or a button: an answer the bot asked for (a time zone, a
 * report reason), a message to relay to the chat partner, or a hint about what to do.
 */
export const messages = new Composer<BotContext>();

messages.chatType('private').on('message', async (ctx) => {
  const text = ctx.message.text;
  if (text !== undefined && !text.startsWith('/')) {
    const expected = await takeExpected(ctx);
    if (expected === 'tz') return saveTimeZone(ctx, text);
    if (expected === 'report') return fileReport(ctx, text);
  }
  if (text?.startsWith('/')) return say(ctx, ctx.t.help);
  if (await relay(ctx)) return;
  await say(ctx, ctx.user ? ctx.t.notInChat : ctx.t.rulesFirst);
});

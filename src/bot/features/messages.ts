import { Composer } from 'grammy';
import { parseTimeZone } from '../../users/time-zones.js';
import type { BotContext } from '../context.js';
import { takeExpected } from '../conversation.js';
import { say } from '../reply.js';
import { relay } from './relay.js';
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
    if (expected?.what === 'tz') {
      // Someone in a chat who asked to change the zone may simply go on talking: relay that.
      if (parseTimeZone(text) === null && (await relay(ctx))) return;
      return saveTimeZone(ctx, text, { typedFor: expected.promptKey });
    }
    if (expected?.what === 'report') return fileReport(ctx, text);
  }
  if (text?.startsWith('/')) return say(ctx, ctx.t.help);
  if (await relay(ctx)) return;
  await say(ctx, ctx.user ? ctx.t.notInChat : ctx.t.rulesFirst);
});

import { Composer } from 'grammy';
import { AppError } from '../../errors.js';
import type { BotContext } from '../context.js';
import { TEXTS } from '../i18n/index.js';
import { answer, editPressed, say } from '../reply.js';

/** /end, the "End chat" button, ratings, and relaying messages and edits between the two. */
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

chat.callbackQuery(/^rate:(\d{1,15}):([1-5])$/, async (ctx) => {
  if (!ctx.user) return answer(ctx);
  try {
    await ctx.deps.chats.rate(Number(ctx.match[1]), ctx.user.id, Number(ctx.match[2]));
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') {
      await answer(ctx, ctx.t.feedbackClosed);
      return editPressed(ctx, ctx.t.feedbackClosed, { reply_markup: { inline_keyboard: [] } });
    }
    if (error instanceof AppError && error.code === 'forbidden') return answer(ctx, ctx.t.notYours);
    throw error;
  }
  await answer(ctx, ctx.t.feedbackThanks);
  await editPressed(ctx, `${ctx.t.feedbackThanks} ${'★'.repeat(Number(ctx.match[2]))}`, {
    reply_markup: { inline_keyboard: [] },
  });
});

/** Key under which a relayed copy is recorded: its message id there is needed for edits. */
const relayKey = (matchId: number, chatId: number, messageId: number) =>
  `relay-${matchId}-${chatId}-${messageId}`;

/**
 * Copies the user's message to their partner (copyMessage: no "forwarded from" header).
 * Returns false when the user is not in a chat, so the caller can handle the message.
 */
export async function relay(ctx: BotContext): Promise<boolean> {
  const message = ctx.message;
  if (!ctx.user || !message || !ctx.chat) return false;
  const active = await ctx.deps.chats.activeChatOf(ctx.user.id);
  if (!active) return false;
  if (active.partnerChatId === null) return true;
  const matchId = active.session.match_id;
  await ctx.deps.outbound.enqueue({
    key: relayKey(matchId, ctx.chat.id, message.message_id),
    chatId: active.partnerChatId,
    userId: active.partnerId,
    method: 'copyMessage',
    payload: { from_chat_id: ctx.chat.id, message_id: message.message_id },
  });
  await ctx.deps.chats.touch(matchId);
  return true;
}

// Telegram lets the bot edit the text or caption of its copy; other edits (a replaced
// photo, a moved location) cannot be mirrored and are left alone.
chat.on('edited_message', async (ctx) => {
  const edited = ctx.editedMessage;
  if (!ctx.user || ctx.chat.type !== 'private') return;
  const active = await ctx.deps.chats.activeChatOf(ctx.user.id);
  if (!active || active.partnerChatId === null) return;
  const ref = relayKey(active.session.match_id, ctx.chat.id, edited.message_id);
  const version = edited.edit_date ?? Math.floor(Date.now() / 1000);
  const base = {
    key: `${ref}-edit${version}`,
    chatId: active.partnerChatId,
    userId: active.partnerId,
    messageRef: ref,
  };
  if (edited.text !== undefined) {
    await ctx.deps.outbound.enqueue({
      ...base,
      method: 'editMessageText',
      payload: { text: edited.text, entities: edited.entities },
    });
  } else if (edited.caption !== undefined) {
    await ctx.deps.outbound.enqueue({
      ...base,
      method: 'editMessageCaption',
      payload: { caption: edited.caption, caption_entities: edited.caption_entities },
    });
  }
});

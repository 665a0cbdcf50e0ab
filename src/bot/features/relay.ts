import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import type { ActiveChat } from '../../chats/chat-service.js';
import type { OutboundPayload } from '../../outbound/outbound-message.js';
import type { BotContext } from '../context.js';
import { messageKeys } from '../message-keys.js';

/** Relaying edits between the two people in a chat; new messages go through `relay()`. */
export const relayEdits = new Composer<BotContext>();

/**
 * Where a reply should point on the partner's side. Replying to one's own message points at
 * its copy (known by key once sent); replying to a copy of the partner's message points at
 * the partner's original (the sender recorded which one it was).
 */
async function replyTarget(
  ctx: BotContext,
  chat: ActiveChat,
  replied: Message,
): Promise<{ replyToRef?: string; messageId?: number }> {
  const chatId = ctx.chat!.id;
  if (replied.from?.id === ctx.from?.id) {
    return { replyToRef: messageKeys.relay(chat.session.match_id, chatId, replied.message_id) };
  }
  const origin = await ctx.deps.redis.hget(
    ctx.deps.keys.relayOrigin(chatId),
    String(replied.message_id),
  );
  const [originChat, originMessage] = (origin ?? '').split(':').map(Number);
  if (originChat !== chat.partnerChatId || !originMessage) return {};
  return { messageId: originMessage };
}

/**
 * Copies the user's message to their partner (copyMessage: no "forwarded from" header), as a
 * reply where the original was one. Returns false when the user is not in a chat, so the
 * caller can handle the message.
 */
export async function relay(ctx: BotContext): Promise<boolean> {
  const message = ctx.message;
  if (!ctx.user || !message || !ctx.chat) return false;
  const active = await ctx.deps.chats.activeChatOf(ctx.user.id);
  if (!active) return false;
  if (active.partnerChatId === null) return true;
  const matchId = active.session.match_id;
  const target = message.reply_to_message
    ? await replyTarget(ctx, active, message.reply_to_message)
    : {};
  const payload: OutboundPayload<'copyMessage'> = {
    from_chat_id: ctx.chat.id,
    message_id: message.message_id,
  };
  if (target.messageId !== undefined) {
    payload.reply_parameters = { message_id: target.messageId, allow_sending_without_reply: true };
  }
  await ctx.deps.outbound.enqueue({
    key: messageKeys.relay(matchId, ctx.chat.id, message.message_id),
    chatId: active.partnerChatId,
    userId: active.partnerId,
    method: 'copyMessage',
    lane: 'chat',
    purpose: 'relay',
    payload,
    copyOf: { chatId: ctx.chat.id, messageId: message.message_id },
    ...(target.replyToRef ? { replyToRef: target.replyToRef } : {}),
  });
  await ctx.deps.chats.touch(matchId);
  return true;
}

// Telegram lets the bot edit the text or caption of its copy; other edits (a replaced
// photo, a moved location) cannot be mirrored and are left alone.
relayEdits.on('edited_message', async (ctx) => {
  const edited = ctx.editedMessage;
  if (!ctx.user || ctx.chat.type !== 'private') return;
  const active = await ctx.deps.chats.activeChatOf(ctx.user.id);
  if (!active || active.partnerChatId === null) return;
  const ref = messageKeys.relay(active.session.match_id, ctx.chat.id, edited.message_id);
  const version = edited.edit_date ?? Math.floor(Date.now() / 1000);
  const base = {
    key: messageKeys.relayEdit(ref, version),
    chatId: active.partnerChatId,
    userId: active.partnerId,
    messageRef: ref,
    lane: 'chat' as const,
    purpose: 'relay' as const,
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
  await ctx.deps.chats.touch(active.session.match_id);
});

import { apiErrors } from './bot-api-error.js';
import type { ChatRecord, MessageFields } from './emulated-chat-store.js';
import type { EmulatorContext } from './emulator-context.js';
import { isPlainObject, readBoolean, readInteger, readJson } from './param-readers.js';
import { inlineKeyboardOf, readReplyMarkup } from './reply-markup.js';
import type { ApiParams, Message } from './telegram-types.js';

/**
 * Completes and stores a message the bot sends: sender, reply target, markup, protection.
 * Only an inline keyboard stays on the message; a reply keyboard becomes the chat's keyboard
 * (Telegram never returns it in `reply_markup`), and `remove_keyboard` hides it.
 */
export function sendBotMessage(
  ctx: EmulatorContext,
  params: ApiParams,
  chat: ChatRecord,
  content: MessageFields,
): Message {
  const replyTo = readReplyTarget(params, chat);
  const markup = readReplyMarkup(params);
  const fields: MessageFields = { from: ctx.botAsSender, ...content };
  if (replyTo) fields.reply_to_message = withoutNestedReply(replyTo);
  const inline = inlineKeyboardOf(markup);
  if (inline) fields.reply_markup = inline;
  if (readBoolean(params, 'protect_content')) fields.has_protected_content = true;
  if (content.text !== undefined) {
    const preview = readJson(params, 'link_preview_options');
    if (isPlainObject(preview)) fields.link_preview_options = preview;
  }
  const message = ctx.chats.append(chat, fields);
  if (markup && 'keyboard' in markup) chat.replyKeyboard = markup;
  if (markup && 'remove_keyboard' in markup) delete chat.replyKeyboard;
  ctx.chats.emitBotMessage('sent', chat, message);
  return message;
}

/** A replied-to message is embedded without its own reply, as Telegram does. */
export function withoutNestedReply(message: Message): Message & { reply_to_message: undefined } {
  const { reply_to_message: _nested, ...rest } = message;
  return rest as Message & { reply_to_message: undefined };
}

/** `reply_parameters` (or the legacy `reply_to_message_id`), checked against the chat. */
function readReplyTarget(params: ApiParams, chat: ChatRecord): Message | undefined {
  const parameters = readJson(params, 'reply_parameters');
  let messageId: number | undefined;
  let allowMissing = readBoolean(params, 'allow_sending_without_reply') ?? false;
  if (isPlainObject(parameters)) {
    messageId = readInteger(parameters, 'message_id');
    allowMissing = readBoolean(parameters, 'allow_sending_without_reply') ?? allowMissing;
    const otherChat = readInteger(parameters, 'chat_id');
    if (otherChat !== undefined && otherChat !== chat.id) {
      // Replies into another chat are quotes of a foreign message; not emulated.
      return undefined;
    }
  } else {
    messageId = readInteger(params, 'reply_to_message_id');
  }
  if (messageId === undefined) return undefined;
  const target = chat.messages.get(messageId);
  if (!target && !allowMissing) throw apiErrors.replyNotFound();
  return target;
}

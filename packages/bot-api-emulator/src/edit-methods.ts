import { apiErrors } from './bot-api-error.js';
import type { ChatRecord } from './emulated-chat-store.js';
import type { EmulatorContext, MethodTable } from './emulator-context.js';
import { readCaption, readMessageText, sameContent } from './message-content.js';
import {
  isPlainObject,
  readBoolean,
  readChatId,
  readInteger,
  readJson,
  readMessageId,
  readString,
  requireString,
} from './param-readers.js';
import { readReplyMarkup } from './reply-markup.js';
import type { ApiParams, InlineKeyboardMarkup, Message } from './telegram-types.js';

/** The edit methods, deleteMessage(s) and answerCallbackQuery. */
export function editMethods(ctx: EmulatorContext): MethodTable {
  /** Applies an edit, refusing one that changes nothing, like Telegram. */
  const commit = (chat: ChatRecord, before: Message, after: Message): Message => {
    const { edit_date: _a, ...oldContent } = before;
    if (sameContent(oldContent, after)) throw apiErrors.notModified();
    const edited = { ...after, edit_date: ctx.chats.unixNow() } as Message;
    ctx.chats.replace(chat, edited);
    ctx.chats.emitBotMessage('edited', chat, edited);
    return edited;
  };

  return {
    editMessageText: {
      sendsToChat: true,
      handler: (params) => {
        const [chat, message] = locateEditable(ctx, params);
        if (message.text === undefined) throw apiErrors.noTextToEdit();
        const { text, entities } = readMessageText(params);
        const next = withoutEditDate(message, ['text', 'entities', 'reply_markup']);
        next.text = text;
        if (entities.length > 0) next.entities = entities;
        const preview = readJson(params, 'link_preview_options');
        if (isPlainObject(preview)) next.link_preview_options = preview;
        // Editing without reply_markup removes the inline keyboard: a real Telegram gotcha.
        return commit(chat, message, withMarkup(next, readReplyMarkup(params, true)));
      },
    },
    editMessageCaption: {
      sendsToChat: true,
      handler: (params) => {
        const [chat, message] = locateEditable(ctx, params);
        if (message.text !== undefined) throw apiErrors.noCaptionToEdit();
        const caption = readCaption(params);
        const next = withoutEditDate(message, ['caption', 'caption_entities', 'reply_markup']);
        if (caption) next.caption = caption.text;
        if (caption && caption.entities.length > 0) next.caption_entities = caption.entities;
        return commit(chat, message, withMarkup(next, readReplyMarkup(params, true)));
      },
    },
    editMessageReplyMarkup: {
      sendsToChat: true,
      handler: (params) => {
        const [chat, message] = locateEditable(ctx, params);
        const next = withoutEditDate(message, ['reply_markup']);
        return commit(chat, message, withMarkup(next, readReplyMarkup(params, true)));
      },
    },
    deleteMessage: {
      handler: (params) => {
        const chat = ctx.chats.requireKnown(readChatId(params));
        if (!ctx.chats.delete(chat, readMessageId(params)))
          throw apiErrors.messageToDeleteNotFound();
        return true;
      },
    },
    deleteMessages: {
      handler: (params) => {
        const chat = ctx.chats.requireKnown(readChatId(params));
        const ids = readJson(params, 'message_ids');
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) {
          throw apiErrors.badRequest('message identifiers are not specified');
        }
        // Telegram skips ids it cannot find.
        for (const id of ids as unknown[]) ctx.chats.delete(chat, Number(id));
        return true;
      },
    },
    answerCallbackQuery: {
      handler: (params) => {
        const answer: Record<string, unknown> = {};
        const text = readString(params, 'text');
        const showAlert = readBoolean(params, 'show_alert');
        const url = readString(params, 'url');
        const cacheTime = readInteger(params, 'cache_time');
        if (text !== undefined) answer.text = text;
        if (showAlert !== undefined) answer.show_alert = showAlert;
        if (url !== undefined) answer.url = url;
        if (cacheTime !== undefined) answer.cache_time = cacheTime;
        ctx.callbacks.answer(requireString(params, 'callback_query_id'), answer);
        return true;
      },
    },
  };
}

/** The bot's own message addressed by chat_id + message_id, in a chat it may still write to. */
function locateEditable(ctx: EmulatorContext, params: ApiParams): [ChatRecord, Message] {
  if (params.inline_message_id !== undefined) throw apiErrors.badRequest('MESSAGE_ID_INVALID');
  const chat = ctx.chats.requireWritable(readChatId(params));
  const message = chat.messages.get(readMessageId(params));
  if (!message) throw apiErrors.messageToEditNotFound();
  if (message.from?.id !== ctx.bot.id) throw apiErrors.messageCantBeEdited();
  return [chat, message];
}

function withoutEditDate(message: Message, drop: (keyof Message)[]): Message {
  const copy = { ...message };
  delete copy.edit_date;
  for (const key of drop) delete copy[key];
  return copy;
}

function withMarkup(message: Message, markup: unknown): Message {
  if (markup) message.reply_markup = markup as InlineKeyboardMarkup;
  return message;
}

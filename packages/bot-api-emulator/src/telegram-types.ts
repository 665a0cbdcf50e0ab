/**
 * Telegram's own object shapes, taken from `@grammyjs/types` (the definitions grammY itself
 * uses) so the emulator produces exactly what a real bot sees, plus the few internal shapes
 * of the wire protocol.
 */
export type {
  Animation,
  Audio,
  BotCommand,
  CallbackQuery,
  Chat,
  ChatFullInfo,
  ChatMember,
  ChatMemberUpdated,
  Document,
  File,
  ForceReply,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  KeyboardButton,
  Message,
  MessageEntity,
  MessageId,
  PhotoSize,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  Sticker,
  Update,
  User,
  UserFromGetMe,
  Video,
  VideoNote,
  Voice,
  WebhookInfo,
} from '@grammyjs/types';

import type {
  ForceReply,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from '@grammyjs/types';

/** Parameters of one Bot API call, whatever encoding they arrived in (JSON, form, query). */
export type ApiParams = Record<string, unknown>;

/** Every reply markup a message may carry. */
export type ReplyMarkup =
  InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** The body of a failed call, exactly as Telegram writes it. */
export interface ApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** The body of any call. */
export type ApiResponseBody = { ok: true; result: unknown } | ApiErrorBody;

/** Update kinds the emulator can produce; `allowed_updates` filters by these names. */
export type EmulatedUpdateType = 'message' | 'edited_message' | 'callback_query' | 'my_chat_member';

/** The kinds of media a message can carry, named like the Message fields that hold them. */
export type MediaKind =
  'photo' | 'sticker' | 'voice' | 'document' | 'video' | 'audio' | 'animation' | 'video_note';

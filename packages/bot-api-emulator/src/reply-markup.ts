import { apiErrors } from './bot-api-error.js';
import { isPlainObject, readJson } from './param-readers.js';
import type {
  ApiParams,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  ReplyMarkup,
} from './telegram-types.js';

/** Exactly one of these makes an inline button do something; a bare text button is invalid. */
const INLINE_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
] as const;

const MAX_CALLBACK_DATA_BYTES = 64;
const unparsable = () => apiErrors.badRequest("can't parse reply keyboard markup JSON object");
const badButton = (reason: string) =>
  apiErrors.badRequest(`can't parse inline keyboard button: ${reason}`);

/**
 * Reads and validates `reply_markup` like Telegram: inline buttons need exactly one action,
 * callback data is 1..64 bytes, URLs must be URLs. `inlineOnly` is for the edit methods, which
 * accept nothing but an inline keyboard.
 */
export function readReplyMarkup(params: ApiParams, inlineOnly = false): ReplyMarkup | undefined {
  const value = readJson(params, 'reply_markup');
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw unparsable();
  if ('inline_keyboard' in value) return validateInline(value.inline_keyboard);
  if (inlineOnly) throw apiErrors.badRequest('inline keyboard expected');
  if ('keyboard' in value) {
    const rows = value.keyboard;
    if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) throw unparsable();
    for (const button of (rows as unknown[][]).flat()) {
      const text = typeof button === 'string' ? button : isPlainObject(button) && button.text;
      if (typeof text !== 'string' || text === '')
        throw apiErrors.badRequest('keyboard button text is empty');
    }
    return value as unknown as ReplyMarkup;
  }
  if (value.remove_keyboard === true || value.force_reply === true) {
    return value as unknown as ReplyMarkup;
  }
  throw unparsable();
}

function validateInline(rows: unknown): InlineKeyboardMarkup {
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw apiErrors.badRequest(
      'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
    );
  }
  for (const button of (rows as unknown[][]).flat()) validateInlineButton(button);
  return { inline_keyboard: rows as InlineKeyboardButton[][] };
}

function validateInlineButton(button: unknown): void {
  if (!isPlainObject(button)) throw badButton('field "text" must be of type String');
  if (typeof button.text !== 'string') throw badButton('field "text" must be of type String');
  const actions = INLINE_ACTIONS.filter((field) => button[field] != null);
  if (actions.length === 0) throw badButton('Text buttons are unallowed in the inline keyboard');
  if (actions.length > 1) throw badButton('only one of the optional fields must be used');
  if ('callback_data' in button && button.callback_data != null) {
    const data = button.callback_data;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
    if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) throw apiErrors.buttonDataInvalid();
  }
  if ('url' in button && button.url != null && !isButtonUrl(button.url)) {
    throw apiErrors.buttonUrlInvalid();
  }
}

function isButtonUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:', 'tg:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The inline keyboard of a markup, if that is what it is (only those stay on a message). */
export function inlineKeyboardOf(
  markup: ReplyMarkup | undefined,
): InlineKeyboardMarkup | undefined {
  return markup && 'inline_keyboard' in markup ? markup : undefined;
}

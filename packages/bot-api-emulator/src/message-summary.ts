import type { InlineKeyboardButton, MediaKind, Message } from './telegram-types.js';

const MEDIA: MediaKind[] = [
  'photo',
  'sticker',
  'voice',
  'document',
  'video',
  'audio',
  'animation',
  'video_note',
];

/** The inline buttons of a message, row by row flattened, or [] when it has none. */
export function inlineButtons(message: Message | undefined): InlineKeyboardButton[] {
  return message?.reply_markup?.inline_keyboard.flat() ?? [];
}

/** What kind of content a message holds: "text", a media kind, or "other". */
export function contentKind(message: Message): 'text' | MediaKind | 'other' {
  if (message.text !== undefined) return 'text';
  // Animations also carry `document`; name the more specific kind.
  if (message.animation) return 'animation';
  return MEDIA.find((kind) => message[kind] !== undefined) ?? 'other';
}

/**
 * A one-line description for test failure messages: id, kind, text (shortened) and buttons.
 * Only used in errors thrown to the test that asked, never in logs.
 */
export function summarize(message: Message): string {
  const kind = contentKind(message);
  const body = message.text ?? message.caption;
  const shown =
    body === undefined ? '' : ` "${body.length > 80 ? `${body.slice(0, 77)}...` : body}"`;
  const buttons = inlineButtons(message).map((button) => button.text);
  const markup = buttons.length > 0 ? ` [buttons: ${buttons.join(' | ')}]` : '';
  const edited = message.edit_date ? ' (edited)' : '';
  return `#${message.message_id} ${kind}${shown}${markup}${edited}`;
}

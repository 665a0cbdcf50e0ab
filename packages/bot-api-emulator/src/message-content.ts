import { apiErrors } from './bot-api-error.js';
import { EntityParseError, type FormattedText } from './formatted-text.js';
import { parseHtml } from './html-text-parser.js';
import { parseMarkdownLegacy, parseMarkdownV2 } from './markdown-text-parser.js';
import { readJson, readString } from './param-readers.js';
import type { ApiParams, MessageEntity } from './telegram-types.js';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

/**
 * Reads `text` (sendMessage, editMessageText) with its `parse_mode` or `entities`, and applies
 * Telegram's rules: empty after trimming is an error, longer than 4096 characters after
 * markup parsing is an error.
 */
export function readMessageText(params: ApiParams): FormattedText {
  const raw = readString(params, 'text');
  if (raw === undefined || raw.trim() === '') throw apiErrors.textEmpty();
  const formatted = format(raw, params, 'entities');
  if (formatted.text.trim() === '') throw apiErrors.textEmpty();
  if (formatted.text.length > MAX_TEXT_LENGTH) throw apiErrors.textTooLong();
  return formatted;
}

/** Reads an optional `caption` (0..1024 characters after parsing). */
export function readCaption(params: ApiParams): FormattedText | undefined {
  const raw = readString(params, 'caption');
  if (raw === undefined) return undefined;
  const formatted = format(raw, params, 'caption_entities');
  if (formatted.text.length > MAX_CAPTION_LENGTH) throw apiErrors.captionTooLong();
  return formatted.text === '' ? undefined : formatted;
}

function format(raw: string, params: ApiParams, entitiesField: string): FormattedText {
  const explicit = readJson(params, entitiesField);
  if (explicit !== undefined) return { text: raw, entities: readEntities(explicit, raw.length) };
  const mode = readString(params, 'parse_mode');
  if (mode === undefined || mode === '') return { text: raw, entities: [] };
  try {
    switch (mode.toLowerCase()) {
      case 'html':
        return parseHtml(raw);
      case 'markdownv2':
        return parseMarkdownV2(raw);
      case 'markdown':
        return parseMarkdownLegacy(raw);
      default:
        throw apiErrors.badRequest('unsupported parse_mode');
    }
  } catch (error) {
    if (error instanceof EntityParseError) throw apiErrors.cantParseEntities(error.message);
    throw error;
  }
}

function readEntities(value: unknown, textLength: number): MessageEntity[] {
  if (!Array.isArray(value)) throw apiErrors.badRequest("can't parse entities JSON object");
  for (const item of value as unknown[]) {
    const candidate = item as Partial<MessageEntity> | null;
    const valid =
      typeof candidate?.type === 'string' &&
      Number.isInteger(candidate.offset) &&
      Number.isInteger(candidate.length) &&
      candidate.offset! >= 0 &&
      candidate.length! > 0 &&
      candidate.offset! + candidate.length! <= textLength;
    if (!valid) throw apiErrors.badRequest("can't parse entities: wrong entity");
  }
  return value as MessageEntity[];
}

/** Content equality for the "message is not modified" check; key order does not matter. */
export function sameContent(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>).filter(([, v]) => v != null);
    return Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
  });
}

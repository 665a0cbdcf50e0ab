import type { MessageEntity } from './telegram-types.js';
import {
  byteOffset,
  entity,
  EntityParseError,
  sortEntities,
  type FormattedText,
} from './formatted-text.js';

const RESERVED = new Set('_*[]()~`>#+-=|{}.!');

const ENTITY_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
  custom_emoji: 'CustomEmoji',
};

const LEGACY_TYPES: Record<string, string> = { '*': 'bold', _: 'italic', '`': 'code' };

interface Open {
  type: string;
  offset: number;
  at: number;
}

/**
 * Parses MarkdownV2, including its strict escaping rule: the reserved characters must be
 * escaped outside entities or Telegram rejects the whole message, a classic production bug
 * that this emulator reproduces on purpose.
 */
export function parseMarkdownV2(input: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let quote: Open | undefined;
  const fail = (reason: string, at: number): never => {
    throw new EntityParseError(`${reason} at byte offset ${byteOffset(input, at)}`);
  };
  const toggle = (type: string, at: number) => {
    const top = stack.at(-1);
    if (top?.type !== type) return void stack.push({ type, offset: text.length, at });
    stack.pop();
    if (text.length > top.offset) entities.push(entity(type, top.offset, text.length - top.offset));
  };
  let i = 0;
  let lineStart = true;
  while (i < input.length) {
    if (lineStart) {
      lineStart = false;
      const marker = input.startsWith('**>', i) ? 3 : input[i] === '>' ? 1 : 0;
      if (marker > 0) {
        const type = marker === 3 ? 'expandable_blockquote' : 'blockquote';
        quote ??= { type, offset: text.length, at: i };
        i += marker;
        continue;
      }
      if (quote) quote = closeQuote(quote, text, entities);
    }
    const char = input[i]!;
    const next = input[i + 1];
    if (char === '\\' && next !== undefined && next.charCodeAt(0) <= 126) {
      text += next;
      i += 2;
    } else if (char === '\n') {
      text += char;
      lineStart = true;
      i += 1;
    } else if (char === '`') {
      const block = input.startsWith('```', i);
      const fence = block ? '```' : '`';
      const end = findUnescaped(input, fence, i + fence.length);
      if (end < 0) fail(`Can't find end of ${block ? 'Pre' : 'Code'} entity`, i);
      let body = unescape(input.slice(i + fence.length, end));
      let language: string | undefined;
      const newline = body.indexOf('\n');
      if (block && newline > 0 && !/\s/.test(body.slice(0, newline))) {
        language = body.slice(0, newline);
        body = body.slice(newline + 1);
      }
      const extra = language ? { language } : {};
      if (body.length > 0)
        entities.push(entity(block ? 'pre' : 'code', text.length, body.length, extra));
      text += body;
      i = end + fence.length;
    } else if (char === '*') {
      toggle('bold', i);
      i += 1;
    } else if (char === '_') {
      const underline = next === '_';
      toggle(underline ? 'underline' : 'italic', i);
      i += underline ? 2 : 1;
    } else if (char === '~') {
      toggle('strikethrough', i);
      i += 1;
    } else if (char === '|' && next === '|') {
      const closesExpandable =
        quote?.type === 'expandable_blockquote' && /^\n|^$/.test(input.slice(i + 2, i + 3));
      if (!closesExpandable) toggle('spoiler', i);
      i += 2;
    } else if (char === '[' || (char === '!' && next === '[')) {
      stack.push({ type: char === '[' ? 'text_link' : 'custom_emoji', offset: text.length, at: i });
      i += char === '[' ? 1 : 2;
    } else if (
      char === ']' &&
      (stack.at(-1)?.type === 'text_link' || stack.at(-1)?.type === 'custom_emoji')
    ) {
      const open = stack.pop()!;
      i += 1;
      if (input[i] !== '(') continue;
      const end = findUnescaped(input, ')', i + 1);
      if (end < 0) fail("Can't find end of a URL", i);
      const url = unescape(input.slice(i + 1, end));
      i = end + 1;
      if (text.length === open.offset) continue;
      const extra =
        open.type === 'text_link'
          ? { url }
          : { custom_emoji_id: /[?&]id=(\d+)/.exec(url)?.[1] ?? '' };
      entities.push(entity(open.type, open.offset, text.length - open.offset, extra));
    } else if (RESERVED.has(char)) {
      fail(`Character '${char}' is reserved and must be escaped with the preceding '\\'`, i);
    } else {
      text += char;
      i += 1;
    }
  }
  const unclosed = stack.pop();
  if (unclosed) fail(`Can't find end of ${ENTITY_NAMES[unclosed.type]} entity`, unclosed.at);
  if (quote) closeQuote(quote, text, entities);
  return { text, entities: sortEntities(entities) };
}

/** Parses the legacy `Markdown` mode: no nesting, no strict escaping. */
export function parseMarkdownLegacy(input: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const fail = (at: number): never => {
    throw new EntityParseError(
      `Can't find end of the entity starting at byte offset ${byteOffset(input, at)}`,
    );
  };
  let i = 0;
  while (i < input.length) {
    const char = input[i]!;
    if (char === '\\' && '_*`['.includes(input[i + 1] ?? ' ')) {
      text += input[i + 1];
      i += 2;
    } else if (char === '*' || char === '_' || char === '`') {
      const fence = input.startsWith('```', i) ? '```' : char;
      const end = input.indexOf(fence, i + fence.length);
      if (end < 0) fail(i);
      let body = input.slice(i + fence.length, end);
      let extra = {};
      const newline = body.indexOf('\n');
      if (fence === '```' && newline > 0 && !/\s/.test(body.slice(0, newline))) {
        extra = { language: body.slice(0, newline) };
        body = body.slice(newline + 1);
      }
      const type = fence === '```' ? 'pre' : LEGACY_TYPES[char]!;
      if (body.length > 0) entities.push(entity(type, text.length, body.length, extra));
      text += body;
      i = end + fence.length;
    } else if (char === '[') {
      const match = /^\[([^\]]*)\]\(([^)]*)\)/.exec(input.slice(i));
      if (!match) fail(i);
      const [whole, label, url] = match!;
      if (label!.length > 0)
        entities.push(entity('text_link', text.length, label!.length, { url }));
      text += label;
      i += whole.length;
    } else {
      text += char;
      i += 1;
    }
  }
  return { text, entities: sortEntities(entities) };
}

function closeQuote(quote: Open, text: string, entities: MessageEntity[]): undefined {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  if (end > quote.offset) entities.push(entity(quote.type, quote.offset, end - quote.offset));
  return undefined;
}

function findUnescaped(input: string, token: string, from: number): number {
  for (let i = from; i < input.length; i += 1) {
    if (input[i] === '\\') i += 1;
    else if (input.startsWith(token, i)) return i;
  }
  return -1;
}

function unescape(value: string): string {
  return value.replace(/\\([\s\S])/g, '$1');
}

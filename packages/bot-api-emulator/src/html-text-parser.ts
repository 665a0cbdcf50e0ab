import type { MessageEntity } from './telegram-types.js';
import {
  byteOffset,
  entity,
  EntityParseError,
  sortEntities,
  type FormattedText,
} from './formatted-text.js';

/** Tag name to entity type, per the Bot API's "HTML style" section. */
const SIMPLE_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  code: 'code',
  pre: 'pre',
};

const NAMED_CHARACTERS: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  offset: number;
  attributes: Record<string, string>;
}

/**
 * Parses Telegram's HTML subset into plain text plus entities, failing the way Telegram does
 * on unsupported or unbalanced tags, so a bot that builds bad markup fails in tests too.
 */
export function parseHtml(input: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i]!;
    if (char === '&') {
      const [decoded, consumed] = decodeCharacter(input, i);
      text += decoded;
      i += consumed;
      continue;
    }
    if (char !== '<') {
      text += char;
      i += 1;
      continue;
    }
    const close = input.indexOf('>', i);
    if (close < 0)
      throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(input, i)}`);
    const tag = input.slice(i + 1, close);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open)
        throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(input, i)}`);
      if (name !== '' && name !== open.name) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteOffset(input, i)}, expected "</${open.name}>", found "</${name}>"`,
        );
      }
      closeTag(open, text.length, stack, entities);
    } else {
      stack.push(openTag(tag, text.length, byteOffset(input, i)));
    }
    i = close + 1;
  }
  const unclosed = stack.pop();
  if (unclosed) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  return { text, entities: sortEntities(entities) };
}

function openTag(source: string, offset: number, bytes: number): OpenTag {
  const match = /^([a-z][a-z0-9-]*)([\s\S]*)$/i.exec(source.trim());
  const name = match?.[1]?.toLowerCase() ?? '';
  const attributes = parseAttributes(match?.[2] ?? '');
  const known =
    name in SIMPLE_TAGS ||
    name === 'a' ||
    name === 'blockquote' ||
    name === 'tg-emoji' ||
    (name === 'span' && attributes.class === 'tg-spoiler');
  if (!known) throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${bytes}`);
  return { name, offset, attributes };
}

function closeTag(open: OpenTag, end: number, stack: OpenTag[], entities: MessageEntity[]) {
  const length = end - open.offset;
  if (length === 0) return;
  const { name, attributes, offset } = open;
  if (name === 'a') {
    const href = attributes.href;
    if (href === undefined) return;
    const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
    entities.push(
      mention
        ? entity('text_mention', offset, length, {
            user: { id: Number(mention[1]), is_bot: false, first_name: '' },
          })
        : entity('text_link', offset, length, { url: href }),
    );
  } else if (name === 'blockquote') {
    const type = 'expandable' in attributes ? 'expandable_blockquote' : 'blockquote';
    entities.push(entity(type, offset, length));
  } else if (name === 'tg-emoji') {
    entities.push(
      entity('custom_emoji', offset, length, { custom_emoji_id: attributes['emoji-id'] ?? '' }),
    );
  } else if (name === 'span') {
    entities.push(entity('spoiler', offset, length));
  } else if (name === 'code' && stack.at(-1)?.name === 'pre') {
    // <pre><code class="language-x"> is one pre entity with a language, not two entities.
    const language = /^language-(.+)$/.exec(attributes.class ?? '')?.[1];
    if (language) stack.at(-1)!.attributes.language = language;
    else entities.push(entity('code', offset, length));
  } else if (name === 'pre' && attributes.language) {
    entities.push(entity('pre', offset, length, { language: attributes.language }));
  } else {
    entities.push(entity(SIMPLE_TAGS[name]!, offset, length));
  }
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /([a-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/gi;
  for (const match of source.matchAll(pattern)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    attributes[match[1]!.toLowerCase()] = decodeAll(value);
  }
  return attributes;
}

function decodeAll(value: string): string {
  let out = '';
  for (let i = 0; i < value.length;) {
    if (value[i] === '&') {
      const [decoded, consumed] = decodeCharacter(value, i);
      out += decoded;
      i += consumed;
    } else {
      out += value[i];
      i += 1;
    }
  }
  return out;
}

/** Decodes `&lt;`, `&#60;`, `&#x3c;` and friends; anything else stays a literal ampersand. */
function decodeCharacter(input: string, at: number): [string, number] {
  const match = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(input.slice(at, at + 12));
  if (!match) return ['&', 1];
  const body = match[1]!;
  if (body.startsWith('#')) {
    const code =
      body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
    if (code > 0 && code <= 0x10ffff) return [String.fromCodePoint(code), match[0].length];
    return ['&', 1];
  }
  const named = NAMED_CHARACTERS[body.toLowerCase()];
  return named === undefined ? ['&', 1] : [named, match[0].length];
}

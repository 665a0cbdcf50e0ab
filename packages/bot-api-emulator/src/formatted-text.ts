import type { MessageEntity } from './telegram-types.js';

/** Text with its entities, as Telegram stores it after parsing `parse_mode` markup. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** Raised by the markup parsers; the caller turns it into "can't parse entities: ...". */
export class EntityParseError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EntityParseError';
  }
}

/** UTF-8 byte offset of a UTF-16 index: Telegram reports markup errors in bytes. */
export function byteOffset(input: string, index: number): number {
  return Buffer.byteLength(input.slice(0, index), 'utf8');
}

/** Entities in Telegram's order: by offset, the longer (outer) one first. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** Builds an entity; loose on purpose because the union type is keyed by `type`. */
export function entity(
  type: string,
  offset: number,
  length: number,
  extra: Record<string, unknown> = {},
): MessageEntity {
  return { type, offset, length, ...extra } as MessageEntity;
}

import { entity, sortEntities } from './formatted-text.js';
import type { MessageEntity } from './telegram-types.js';

/**
 * The entities Telegram detects in what a user types. `bot_command` matters most: grammY's
 * `bot.command()` only matches a message whose first entity is a bot_command at offset 0.
 */
const DETECTORS: [string, RegExp][] = [
  ['bot_command', /(?<=^|\s)\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=$|[\s.,!?;:])/g],
  ['mention', /(?<=^|[\s(])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])/g],
  ['hashtag', /(?<=^|\s)#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu],
  ['url', /(?<=^|\s)https?:\/\/[^\s]+[^\s.,!?;:)]/g],
];

export function detectUserEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const [type, pattern] of DETECTORS) {
    for (const match of text.matchAll(pattern)) {
      entities.push(entity(type, match.index, match[0].length));
    }
  }
  return sortEntities(entities);
}

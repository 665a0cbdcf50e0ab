import type { InlineKeyboardMarkup, ReplyKeyboardMarkup } from 'grammy/types';
import type { TopicRow } from '../../db/queries/topics.js';
import type { Texts } from '../i18n/index.js';

/**
 * Every keyboard the bot shows, as Bot API objects. callback_data formats are parsed in
 * callback-data.ts; keep the two in step.
 */
type Button = InlineKeyboardMarkup['inline_keyboard'][number][number];
const button = (text: string, data: string): Button => ({ text, callback_data: data });

function rows<T>(items: readonly T[], perRow: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += perRow) result.push(items.slice(i, i + perRow));
  return result;
}

/** The proposal's buttons, with the sprint document's callback_data. */
export function proposalKeyboard(t: Texts, matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [button(t.accept, `match:accept:${matchId}`), button(t.decline, `match:decline:${matchId}`)],
    ],
  };
}

/** After accepting: only "Skip" is left, so the user can still change their mind. */
export function acceptedKeyboard(t: Texts, matchId: number): InlineKeyboardMarkup {
  return { inline_keyboard: [[button(t.decline, `match:decline:${matchId}`)]] };
}

/** The persistent reply keyboard: "Find a partner", or "End chat" while chatting. */
export function mainKeyboard(t: Texts, inChat: boolean): ReplyKeyboardMarkup {
  return {
    keyboard: [[{ text: inChat ? t.endButton : t.findButton }]],
    resize_keyboard: true,
    is_persistent: true,
  };
}

export function ratingKeyboard(matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [[1, 2, 3, 4, 5].map((n) => button(String(n), `rate:${matchId}:${n}`))],
  };
}

export function rulesKeyboard(t: Texts): InlineKeyboardMarkup {
  return { inline_keyboard: [[button(t.rulesAccept, 'rules:accept')]] };
}

export function topicsKeyboard(
  t: Texts,
  topics: readonly TopicRow[],
  selected: readonly number[],
  language: 'ru' | 'en',
): InlineKeyboardMarkup {
  const buttons = topics.map((topic) => {
    const title = language === 'en' ? topic.title_en : topic.title_ru;
    return button(`${selected.includes(topic.id) ? '✅ ' : ''}${title}`, `topic:${topic.id}`);
  });
  const done = selected.length >= 2 ? `${t.topicsDone} (${selected.length})` : t.topicsNeedTwo;
  return { inline_keyboard: [...rows(buttons, 2), [button(done, 'topics:done')]] };
}

export function timeZoneKeyboard(zones: readonly string[]): InlineKeyboardMarkup {
  return {
    inline_keyboard: rows(
      zones.map((zone) => button(zone, `tz:${zone}`)),
      2,
    ),
  };
}

export function profileKeyboard(t: Texts): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [button(t.editTopics, 'profile:topics'), button(t.editTz, 'profile:tz')],
      [button(t.editLanguage, 'profile:lang')],
    ],
  };
}

export function languageKeyboard(): InlineKeyboardMarkup {
  return { inline_keyboard: [[button('Русский', 'lang:ru'), button('English', 'lang:en')]] };
}

export function deleteKeyboard(t: Texts): InlineKeyboardMarkup {
  return {
    inline_keyboard: [[button(t.deleteYes, 'delete:yes'), button(t.deleteNo, 'delete:no')]],
  };
}

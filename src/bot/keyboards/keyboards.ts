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

/** Onboarding goes on to the time zone after the topics; editing from /profile does not. */
export type TopicsMode = 'onboarding' | 'profile';

/**
 * The topic picker: every press toggles a topic (✅ marks the chosen ones). "Done" shows the
 * count, and says "choose at least two" until two are chosen. callback_data: `topic:<id>`
 * and `topics:done` while onboarding, `topic:<id>:p` and `topics:save` from /profile.
 */
export function topicsKeyboard(
  t: Texts,
  topics: readonly TopicRow[],
  selected: readonly number[],
  language: 'ru' | 'en',
  mode: TopicsMode = 'onboarding',
): InlineKeyboardMarkup {
  const suffix = mode === 'profile' ? ':p' : '';
  const buttons = topics.map((topic) => {
    const title = language === 'en' ? topic.title_en : topic.title_ru;
    const mark = selected.includes(topic.id) ? '✅ ' : '';
    return button(`${mark}${title}`, `topic:${topic.id}${suffix}`);
  });
  const done = selected.length >= 2 ? `${t.topicsDone} (${selected.length})` : t.topicsNeedTwo;
  const doneData = mode === 'profile' ? 'topics:save' : 'topics:done';
  return { inline_keyboard: [...rows(buttons, 2), [button(done, doneData)]] };
}

/** The suggested zones, with the user's current one marked (and offered even if unlisted). */
export function timeZoneKeyboard(zones: readonly string[], current?: string): InlineKeyboardMarkup {
  const offered = current && !zones.includes(current) ? [current, ...zones] : zones;
  return {
    inline_keyboard: rows(
      offered.map((zone) => button(`${zone === current ? '✅ ' : ''}${zone}`, `tz:${zone}`)),
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

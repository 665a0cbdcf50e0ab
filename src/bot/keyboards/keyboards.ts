import type { InlineKeyboardMarkup, ReplyKeyboardMarkup } from 'grammy/types';
import type { TopicRow } from '../../db/queries/topics.js';
import type { Texts } from '../i18n/index.js';
import { packCallback, type CallbackData, type TopicsMode } from '../callback-data.js';

/** Every keyboard the bot shows, as Bot API objects; button data is packed by callback-data.ts. */
type Button = InlineKeyboardMarkup['inline_keyboard'][number][number];
const button = (text: string, data: CallbackData): Button => ({
  text,
  callback_data: packCallback(data),
});

function rows<T>(items: readonly T[], perRow: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += perRow) result.push(items.slice(i, i + perRow));
  return result;
}

/** The proposal's buttons, with the sprint document's callback_data. */
export function proposalKeyboard(t: Texts, matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        button(t.accept, { type: 'proposal', answer: 'accept', matchId }),
        button(t.decline, { type: 'proposal', answer: 'decline', matchId }),
      ],
    ],
  };
}

/**
 * The persistent reply keyboard: "Find a partner" and "End chat". It is the same in and out
 * of a chat, so no message has to be sent just to swap it: the message that ends a chat
 * carries the rating buttons instead, and a message holds one keyboard only.
 */
export function mainKeyboard(t: Texts): ReplyKeyboardMarkup {
  return {
    keyboard: [[{ text: t.findButton }, { text: t.endButton }]],
    resize_keyboard: true,
    is_persistent: true,
  };
}

export function ratingKeyboard(matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [1, 2, 3, 4, 5].map((stars) => button(String(stars), { type: 'rate', matchId, stars })),
    ],
  };
}

export function rulesKeyboard(t: Texts): InlineKeyboardMarkup {
  return { inline_keyboard: [[button(t.rulesAccept, { type: 'rules' })]] };
}

/**
 * The topic picker: every press toggles a topic (✅ marks the chosen ones). "Done" shows the
 * count, and says "choose at least two" until two are chosen.
 */
export function topicsKeyboard(
  t: Texts,
  topics: readonly TopicRow[],
  selected: readonly number[],
  language: 'ru' | 'en',
  mode: TopicsMode = 'onboarding',
): InlineKeyboardMarkup {
  const buttons = topics.map((topic) => {
    const title = language === 'en' ? topic.title_en : topic.title_ru;
    const mark = selected.includes(topic.id) ? '✅ ' : '';
    return button(`${mark}${title}`, { type: 'topic', topicId: topic.id, mode });
  });
  const done = selected.length >= 2 ? `${t.topicsDone} (${selected.length})` : t.topicsNeedTwo;
  return {
    inline_keyboard: [...rows(buttons, 2), [button(done, { type: 'topics.done', mode })]],
  };
}

/** The suggested zones, with the user's current one marked (and offered even if unlisted). */
export function timeZoneKeyboard(zones: readonly string[], current?: string): InlineKeyboardMarkup {
  const offered = current && !zones.includes(current) ? [current, ...zones] : zones;
  return {
    inline_keyboard: rows(
      offered.map((zone) =>
        button(`${zone === current ? '✅ ' : ''}${zone}`, { type: 'tz', zone }),
      ),
      2,
    ),
  };
}

export function profileKeyboard(t: Texts): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        button(t.editTopics, { type: 'profile', field: 'topics' }),
        button(t.editTz, { type: 'profile', field: 'tz' }),
      ],
      [button(t.editLanguage, { type: 'profile', field: 'lang' })],
      [button(t.editRoles, { type: 'roles', done: false })],
    ],
  };
}

export function languageKeyboard(): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        button('Русский', { type: 'lang', language: 'ru' }),
        button('English', { type: 'lang', language: 'en' }),
      ],
    ],
  };
}

export function deleteKeyboard(t: Texts): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        button(t.deleteYes, { type: 'delete', confirmed: true }),
        button(t.deleteNo, { type: 'delete', confirmed: false }),
      ],
    ],
  };
}

/** /pause: how long, and (for someone already paused) "come back now". */
export function pauseKeyboard(t: Texts, paused: boolean): InlineKeyboardMarkup {
  const lengths = [
    button(t.pauseOneDay, { type: 'pause', days: 1 }),
    button(t.pauseThreeDays, { type: 'pause', days: 3 }),
    button(t.pauseOneWeek, { type: 'pause', days: 7 }),
  ];
  return {
    inline_keyboard: paused ? [lengths, [button(t.resumeButton, { type: 'resume' })]] : [lengths],
  };
}

/** Marks of a topic's role: 🤝 can help, 🎓 wants to learn. */
export const ROLE_MARK = { help: '🤝', learn: '🎓' } as const;

/** One button per topic of the user, showing its role; a press moves the role on. */
export function rolesKeyboard(
  t: Texts,
  topics: readonly { id: number; title: string; role: 'help' | 'learn' | null }[],
): InlineKeyboardMarkup {
  const buttons = topics.map((topic) =>
    button(`${topic.role ? `${ROLE_MARK[topic.role]} ` : ''}${topic.title}`, {
      type: 'role',
      topicId: topic.id,
    }),
  );
  return {
    inline_keyboard: [...rows(buttons, 2), [button(t.rolesDone, { type: 'roles', done: true })]],
  };
}

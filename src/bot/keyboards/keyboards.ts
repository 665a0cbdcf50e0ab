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

/** The rating buttons; with `again` (its label), "I'd chat again" below them. */
export function ratingKeyboard(matchId: number, again?: string): InlineKeyboardMarkup {
  const stars = [1, 2, 3, 4, 5].map((n) => button(String(n), { type: 'rate', matchId, stars: n }));
  if (again === undefined) return { inline_keyboard: [stars] };
  return {
    inline_keyboard: [stars, [button(again, { type: 'again', action: 'wish', id: matchId })]],
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
      [button(t.editHours, { type: 'hours', choice: 'menu' })],
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

/** "Exchange contacts" for chat `matchId`: a press counts only once the partner presses too. */
export function contactRequestKeyboard(t: Texts, matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [[button(t.contactButton, { type: 'contact', action: 'request', matchId })]],
  };
}

export function contactWithdrawKeyboard(t: Texts, matchId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [button(t.contactWithdrawButton, { type: 'contact', action: 'withdraw', matchId })],
    ],
  };
}
/** A direct proposal (/again): the invited person answers; the inviter may withdraw it. */
export function againProposalKeyboard(
  t: Texts,
  matchId: number,
  inviter: boolean,
): InlineKeyboardMarkup {
  if (inviter) {
    return {
      inline_keyboard: [[button(t.againWithdraw, { type: 'again', action: 'no', id: matchId })]],
    };
  }
  return {
    inline_keyboard: [
      [
        button(t.accept, { type: 'again', action: 'yes', id: matchId }),
        button(t.decline, { type: 'again', action: 'no', id: matchId }),
      ],
    ],
  };
}

/** /again: one row per saved partner, to invite them or remove them from the list. */
export function againListKeyboard(
  t: Texts,
  partners: readonly { user_id: number; first_name: string }[],
): InlineKeyboardMarkup {
  return {
    inline_keyboard: partners.map((partner) => [
      button(t.againInviteButton(partner.first_name), {
        type: 'again',
        action: 'invite',
        id: partner.user_id,
      }),
      button(t.againRemoveButton, { type: 'again', action: 'remove', id: partner.user_id }),
    ]),
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

/** An operator's buttons under a report. */
export function reportDecisionKeyboard(t: Texts, reportId: number): InlineKeyboardMarkup {
  const decide = (text: string, action: 'suspend' | 'lift' | 'dismiss') =>
    button(text, { type: 'mod.report', action, reportId });
  return {
    inline_keyboard: [
      [decide(t.modSuspend, 'suspend'), decide(t.modLift, 'lift')],
      [decide(t.modDismiss, 'dismiss')],
    ],
  };
}

/** An operator's buttons under an appeal. */
export function appealDecisionKeyboard(t: Texts, appealId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        button(t.modLift, { type: 'mod.appeal', lift: true, appealId }),
        button(t.modKeep, { type: 'mod.appeal', lift: false, appealId }),
      ],
    ],
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

/** "07:00–22:00": a waking window as the /profile buttons and answers show it. */
export const formatWakingHours = (hours: { start: number; end: number }) =>
  `${String(hours.start).padStart(2, '0')}:00–${String(hours.end % 24).padStart(2, '0')}:00`;

/** The waking-hours presets, the current choice marked; the last row is the service's default. */
export function wakingHoursKeyboard(
  t: Texts,
  presets: readonly { start: number; end: number }[],
  current: { start: number; end: number } | null,
): InlineKeyboardMarkup {
  const mark = (on: boolean) => (on ? '✅ ' : '');
  const buttons = presets.map((hours, index) =>
    button(
      `${mark(current?.start === hours.start && current.end === hours.end)}${formatWakingHours(hours)}`,
      { type: 'hours', choice: index },
    ),
  );
  return {
    inline_keyboard: [
      ...rows(buttons, 2),
      [button(`${mark(current === null)}${t.hoursDefault}`, { type: 'hours', choice: 'default' })],
    ],
  };
}

/** Under "nobody matched": keep the search standing for hours, or, once standing, stop it. */
export function standingKeyboard(t: Texts, action: 'start' | 'stop'): InlineKeyboardMarkup {
  const text = action === 'start' ? t.standingButton : t.standingStopButton;
  return { inline_keyboard: [[button(text, { type: 'standing', action })]] };
}

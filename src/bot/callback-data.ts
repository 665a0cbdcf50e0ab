import type { CallbackQueryContext, Composer } from 'grammy';
import type { BotContext } from './context.js';
import type { Language } from './i18n/index.js';

/** Onboarding goes on to the time zone after the topics; editing from /profile does not. */
export type TopicsMode = 'onboarding' | 'profile';

/**
 * What each inline button says when pressed, typed. Its wire format (callback_data, at most
 * 64 bytes) is spelled only in this module: keyboards pack it, handlers and the simulated
 * crowd parse it. The acting user never comes from here but from callback_query.from.
 */
interface CallbackFields {
  proposal: { answer: 'accept' | 'decline'; matchId: number };
  rate: { matchId: number; stars: number };
  rules: object;
  topic: { topicId: number; mode: TopicsMode };
  'topics.done': { mode: TopicsMode };
  tz: { zone: string };
  profile: { field: 'topics' | 'tz' | 'lang' };
  lang: { language: Language };
  delete: { confirmed: boolean };
  contact: { action: 'request' | 'withdraw'; matchId: number };
  /**
   * Chat again: `wish` after the chat of match `id`; `invite` and `remove` a saved partner
   * (user `id`); `yes` and `no` answer the direct proposal of match `id` (`no` from the
   * inviter withdraws it).
   */
  again: { action: AgainAction; id: number };
  pause: { days: 1 | 3 | 7 };
  resume: object;
  'mod.report': { action: 'suspend' | 'lift' | 'dismiss'; reportId: number };
  'mod.appeal': { lift: boolean; appealId: number };
  roles: { done: boolean };
  role: { topicId: number };
  /** Waking hours in /profile: the presets' `menu`, one preset by index, or the service's. */
  hours: { choice: 'menu' | 'default' | number };
  /** "Keep looking and notify me" under a search that found nobody, and its "Stop". */
  standing: { action: 'start' | 'stop' };
}

export type AgainAction = 'wish' | 'invite' | 'remove' | 'yes' | 'no';
const AGAIN_ACTIONS: readonly AgainAction[] = ['wish', 'invite', 'remove', 'yes', 'no'];

export type CallbackType = keyof CallbackFields;
/** A button's data; `CallbackData<K>` is the data of buttons of type K. */
export type CallbackData<K extends CallbackType = CallbackType> = {
  [P in K]: { type: P } & CallbackFields[P];
}[K];

interface Format<K extends CallbackType> {
  pattern: RegExp;
  pack(data: CallbackData<K>): string;
  parse(match: RegExpMatchArray): CallbackData<K>;
}

const FORMATS: { [K in CallbackType]: Format<K> } = {
  proposal: {
    pattern: /^match:(accept|decline):(\d{1,15})$/,
    pack: ({ answer, matchId }) => `match:${answer}:${matchId}`,
    parse: (match) => ({
      type: 'proposal',
      answer: match[1] === 'accept' ? 'accept' : 'decline',
      matchId: Number(match[2]),
    }),
  },
  rate: {
    pattern: /^rate:(\d{1,15}):([1-5])$/,
    pack: ({ matchId, stars }) => `rate:${matchId}:${stars}`,
    parse: (match) => ({ type: 'rate', matchId: Number(match[1]), stars: Number(match[2]) }),
  },
  rules: {
    pattern: /^rules:accept$/,
    pack: () => 'rules:accept',
    parse: () => ({ type: 'rules' }),
  },
  topic: {
    pattern: /^topic:(\d{1,9})(:p)?$/,
    pack: ({ topicId, mode }) => `topic:${topicId}${mode === 'profile' ? ':p' : ''}`,
    parse: (match) => ({
      type: 'topic',
      topicId: Number(match[1]),
      mode: match[2] ? 'profile' : 'onboarding',
    }),
  },
  'topics.done': {
    pattern: /^topics:(done|save)$/,
    pack: ({ mode }) => (mode === 'profile' ? 'topics:save' : 'topics:done'),
    parse: (match) => ({
      type: 'topics.done',
      mode: match[1] === 'save' ? 'profile' : 'onboarding',
    }),
  },
  tz: {
    pattern: /^tz:(.+)$/,
    pack: ({ zone }) => `tz:${zone}`,
    parse: (match) => ({ type: 'tz', zone: match[1] ?? '' }),
  },
  profile: {
    pattern: /^profile:(topics|tz|lang)$/,
    pack: ({ field }) => `profile:${field}`,
    parse: (match) => ({
      type: 'profile',
      field: match[1] === 'topics' ? 'topics' : match[1] === 'tz' ? 'tz' : 'lang',
    }),
  },
  lang: {
    pattern: /^lang:(ru|en)$/,
    pack: ({ language }) => `lang:${language}`,
    parse: (match) => ({ type: 'lang', language: match[1] === 'en' ? 'en' : 'ru' }),
  },
  delete: {
    pattern: /^delete:(yes|no)$/,
    pack: ({ confirmed }) => (confirmed ? 'delete:yes' : 'delete:no'),
    parse: (match) => ({ type: 'delete', confirmed: match[1] === 'yes' }),
  },
  contact: {
    pattern: /^contact:(ask|undo):(\d{1,15})$/,
    pack: ({ action, matchId }) => `contact:${action === 'request' ? 'ask' : 'undo'}:${matchId}`,
    parse: (match) => ({
      type: 'contact',
      action: match[1] === 'ask' ? 'request' : 'withdraw',
      matchId: Number(match[2]),
    }),
  },
  again: {
    pattern: /^again:(wish|invite|remove|yes|no):(\d{1,15})$/,
    pack: ({ action, id }) => `again:${action}:${id}`,
    parse: (match) => ({
      type: 'again',
      action: AGAIN_ACTIONS.find((action) => action === match[1]) ?? 'no',
      id: Number(match[2]),
    }),
  },
  pause: {
    pattern: /^pause:([137])$/,
    pack: ({ days }) => `pause:${days}`,
    parse: (match) => ({ type: 'pause', days: match[1] === '7' ? 7 : match[1] === '3' ? 3 : 1 }),
  },
  resume: {
    pattern: /^pause:resume$/,
    pack: () => 'pause:resume',
    parse: () => ({ type: 'resume' }),
  },
  'mod.report': {
    pattern: /^mod:(suspend|lift|dismiss):(\d{1,15})$/,
    pack: ({ action, reportId }) => `mod:${action}:${reportId}`,
    parse: (match) => ({
      type: 'mod.report',
      action: match[1] === 'suspend' ? 'suspend' : match[1] === 'lift' ? 'lift' : 'dismiss',
      reportId: Number(match[2]),
    }),
  },
  'mod.appeal': {
    pattern: /^appeal:(lift|keep):(\d{1,15})$/,
    pack: ({ lift, appealId }) => `appeal:${lift ? 'lift' : 'keep'}:${appealId}`,
    parse: (match) => ({
      type: 'mod.appeal',
      lift: match[1] === 'lift',
      appealId: Number(match[2]),
    }),
  },
  roles: {
    pattern: /^roles(:done)?$/,
    pack: ({ done }) => (done ? 'roles:done' : 'roles'),
    parse: (match) => ({ type: 'roles', done: match[1] !== undefined }),
  },
  role: {
    pattern: /^role:(\d{1,9})$/,
    pack: ({ topicId }) => `role:${topicId}`,
    parse: (match) => ({ type: 'role', topicId: Number(match[1]) }),
  },
  hours: {
    pattern: /^hours(?::(default|\d))?$/,
    pack: ({ choice }) => (choice === 'menu' ? 'hours' : `hours:${choice}`),
    parse: (match) => ({
      type: 'hours',
      choice:
        match[1] === undefined ? 'menu' : match[1] === 'default' ? 'default' : Number(match[1]),
    }),
  },
  standing: {
    pattern: /^standing:(start|stop)$/,
    pack: ({ action }) => `standing:${action}`,
    parse: (match) => ({ type: 'standing', action: match[1] === 'stop' ? 'stop' : 'start' }),
  },
};

/** The callback_data of a button. */
export function packCallback<K extends CallbackType>(data: CallbackData<K>): string {
  return FORMATS[data.type].pack(data);
}

/** What a button's callback_data says, or null for data this bot does not use (any more). */
export function parseCallback(data: string): CallbackData | null {
  for (const format of Object.values(FORMATS)) {
    const match = format.pattern.exec(data);
    if (match) return format.parse(match);
  }
  return null;
}

/** Handles presses of buttons of one type, with their data parsed. */
export function onButton<K extends CallbackType>(
  composer: Composer<BotContext>,
  type: K,
  handler: (ctx: CallbackQueryContext<BotContext>, data: CallbackData<K>) => Promise<unknown>,
): void {
  const format: Format<K> = FORMATS[type];
  composer.callbackQuery(format.pattern, async (ctx) => {
    // grammY matched the pattern already; matching again gives the groups a typed home.
    const match = format.pattern.exec(ctx.callbackQuery.data);
    if (match) await handler(ctx, format.parse(match));
  });
}

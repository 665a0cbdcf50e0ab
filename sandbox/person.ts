import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { TEXTS, type Texts } from '../src/bot/i18n/index.js';
import { parseCallback, type CallbackData } from '../src/bot/callback-data.js';
import type { PersonProfile } from './population.js';
import type { Random } from '../sim-kit/random.js';
import { readAgain, type AgainSeen } from './crowd-again.js';

export type PersonState = 'new' | 'idle' | 'searching' | 'proposed' | 'chatting' | 'paused';

/** What a person reacts to, read from the bot's messages as a human would read them. */
export type Seen =
  | { kind: 'proposal'; matchId: number; messageId: number; quality: number }
  | { kind: 'chat.open' }
  | { kind: 'chat.message' }
  | { kind: 'chat.ended' }
  | { kind: 'rating.asked'; matchId: number; messageId: number }
  | { kind: 'searching.again' }
  | { kind: 'search.over' }
  | { kind: 'other' }
  /** "Exchange contacts" is offered: under a chat's end, or as the partner's question. */
  | { kind: 'contact.offered'; matchId: number; messageId: number; asked: boolean }
  | AgainSeen;

const buttonData = (user: EmulatedUser, message: Message): CallbackData[] =>
  user
    .inlineButtons(message)
    .map((button) => ('callback_data' in button ? parseCallback(button.callback_data) : null))
    .filter((data) => data !== null);

/**
 * Judges a proposal from its text, as a person would: how many topics are shared and how
 * many waking hours overlap. 0..1.
 */
export function proposalQuality(text: string): number {
  const topics = /(?:Общие темы|Shared topics): ([^\n.]*)/.exec(text)?.[1]?.split(', ').length ?? 0;
  let hours = 0;
  for (const [, from, to] of text.matchAll(/(\d{2}):00–(\d{2}):00/g)) {
    hours += (Number(to) - Number(from) + 24) % 24 || 24;
  }
  return Math.min(1, 0.65 * Math.min(topics / 4, 1) + 0.35 * Math.min(hours / 14, 1));
}

/** The search-expired notice, whatever SEARCH_TTL_MINUTES is. */
function isSearchExpired(text: string, t: Texts): boolean {
  const [head, tail] = t.searchExpired(7).split('7');
  return text.startsWith(head ?? '') && text.endsWith(tail ?? '');
}

/** The answer to "Find" during a /pause, whatever its end. */
function isPausedFind(text: string, t: Texts): boolean {
  const [head, tail] = t.pausedFind('\u0000').split('\u0000');
  return text.startsWith(head ?? '') && text.endsWith(tail ?? '');
}

/** The status line a closed proposal card ends with (see proposalClosedCard). */
const statusOf = (text: string) => text.slice(text.lastIndexOf('\n') + 1);

/** Classifies a bot message for a person whose texts are `t`: what it tells them, in order. */
export function readMessage(user: EmulatedUser, message: Message, t: Texts): Seen[] {
  const text = message.text ?? message.caption ?? '';
  const data = buttonData(user, message);
  const again = readAgain(text, data, message.message_id, t);
  if (again) return again;
  const accept = data.find((value) => value.type === 'proposal' && value.answer === 'accept');
  if (accept?.type === 'proposal') {
    return [
      {
        kind: 'proposal',
        matchId: accept.matchId,
        messageId: message.message_id,
        quality: proposalQuality(text),
      },
    ];
  }
  const seen: Seen[] = [];
  // The end of a chat and the rating prompt come in one message.
  const ended = [t.chatEndedByPartner, t.chatEndedByYou, t.chatEndedIdle, t.chatEndedSafety];
  if (ended.some((line) => text === line || text.startsWith(`${line}\n`))) {
    seen.push({ kind: 'chat.ended' });
  }
  const rate = data.find((value) => value.type === 'rate');
  if (rate?.type === 'rate') {
    seen.push({ kind: 'rating.asked', matchId: rate.matchId, messageId: message.message_id });
  }
  const contact = data.find((value) => value.type === 'contact' && value.action === 'request');
  if (contact?.type === 'contact') {
    const asked = text === t.contactPartnerAsks;
    seen.push({
      kind: 'contact.offered',
      matchId: contact.matchId,
      messageId: message.message_id,
      asked,
    });
  }
  if (seen.length) return seen;
  // The intro's opening words, whatever the partner's name: "Чат открыт! Ваш собеседник — ".
  if (text.startsWith(t.intro('\u0000', '').split('\u0000')[0]!)) return [{ kind: 'chat.open' }];
  // A closed proposal card ends with what happened to it.
  const status = statusOf(text);
  if ([t.partnerSkipped, t.expiredRequeued, t.skipped].includes(status)) {
    return [{ kind: 'searching.again' }];
  }
  if (
    [t.expiredNoAnswer, t.expiredLimit, t.busyChat].includes(status) ||
    isSearchExpired(text, t) ||
    isPausedFind(text, t)
  ) {
    return [{ kind: 'search.over' }];
  }
  return [{ kind: 'other' }];
}

/** A simulated person: a profile, a Telegram client in the emulator, and their current state. */
export interface Person {
  profile: PersonProfile;
  user: EmulatedUser;
  state: PersonState;
  /** Not before this time (epoch ms) will they press "Find" again. */
  restUntil: number;
  /** Quality of the proposal that opened the current chat, for the rating. */
  chatQuality: number;
  /** Index of the open /find in the crowd's statistics. */
  findIndex: number | undefined;
  /** The match of the latest proposal, which is the chat's if it opens. */
  matchId: number | undefined;
  texts: Texts;
}

export function createPerson(profile: PersonProfile, user: EmulatedUser): Person {
  return {
    profile,
    user,
    state: 'new',
    restUntil: 0,
    chatQuality: 0.5,
    findIndex: undefined,
    matchId: undefined,
    texts: TEXTS[profile.languageCode],
  };
}

/** Probability that a person accepts a proposal of this quality. */
export function acceptChance(person: Person, quality: number): number {
  return Math.min(0.95, Math.max(0.05, (0.3 + 0.7 * quality) * person.profile.openness));
}

/** A 1-5 rating that follows how good the match was, with some noise. */
export function ratingFor(random: Random, quality: number): number {
  return Math.max(1, Math.min(5, Math.round(1.5 + 3.5 * quality + (random() - 0.5) * 1.5)));
}

/** Short chat lines, by language. */
export const CHAT_LINES: Record<'ru' | 'en', readonly string[]> = {
  ru: [
    'Привет!',
    'Как дела?',
    'Что сейчас читаешь?',
    'Интересно!',
    'Согласен',
    'А ты откуда?',
    'Расскажи подробнее',
    'Ха-ха',
    'Хорошего дня!',
  ],
  en: [
    'Hi!',
    'How are you?',
    'What are you reading now?',
    'Interesting!',
    'Agreed',
    'Where are you from?',
    'Tell me more',
    'Haha',
    'Have a nice day!',
  ],
};

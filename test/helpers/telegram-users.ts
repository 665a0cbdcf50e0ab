import type { Message } from 'grammy/types';
import type { BotApiEmulator, EmulatedUser } from '@tete/bot-api-emulator';
import { packCallback, parseCallback } from '../../src/bot/callback-data.js';
import { onboardUser } from '../../sandbox/onboard-person.js';

let nextTelegramId = 7_000_000_000;

const hasText = (pattern: RegExp) => (message: Message) =>
  pattern.test(message.text ?? message.caption ?? '');

/** Waits for a bot message whose text matches. */
export function expectMessage(
  user: EmulatedUser,
  pattern: RegExp,
  timeoutMs = 5_000,
): Promise<Message> {
  return user.waitForBotMessage(hasText(pattern), { timeoutMs, since: 'beginning' });
}

/** Waits for a bot message (new or edited) that carries an inline button with `data`. */
export function expectButton(
  user: EmulatedUser,
  data: RegExp,
  timeoutMs = 5_000,
): Promise<Message> {
  return user.waitForBotMessage(
    (message) =>
      user
        .inlineButtons(message)
        .some((b) => 'callback_data' in b && data.test(b.callback_data ?? '')),
    { timeoutMs, since: 'beginning' },
  );
}

export function callbackData(user: EmulatedUser, message: Message, pattern: RegExp): string {
  const found = user
    .inlineButtons(message)
    .map((b) => ('callback_data' in b ? b.callback_data : undefined))
    .find((data): data is string => data !== undefined && pattern.test(data));
  if (!found) throw new Error(`no button matching ${pattern}`);
  return found;
}

export interface OnboardOptions {
  firstName: string;
  languageCode?: string;
  /** Topic ids to pick (catalogue ids start at 1). */
  topics: readonly number[];
  timeZone?: string;
  /** For each wait on the bot; default 5 s (raise it for a throttled, real-speed process). */
  timeoutMs?: number;
}

/**
 * Takes a new simulated user through the whole onboarding, as a person would: /start, "I
 * agree", topic buttons, "Done", a time zone button. Resolves when the profile is ready.
 */
export async function onboard(
  emulator: BotApiEmulator,
  options: OnboardOptions,
): Promise<EmulatedUser> {
  nextTelegramId += 1;
  const user = emulator.createUser({
    id: nextTelegramId,
    firstName: options.firstName,
    languageCode: options.languageCode ?? 'ru',
  });
  await onboardUser(user, {
    topicIds: options.topics,
    timeZone:
      options.timeZone ?? (options.languageCode === 'en' ? 'Europe/London' : 'Europe/Moscow'),
    timeoutMs: options.timeoutMs ?? 5_000,
  });
  return user;
}

/** Counts the bot's messages in the user's chat whose text or caption matches. */
export function countMessages(user: EmulatedUser, pattern: RegExp): number {
  return user.botMessages().filter(hasText(pattern)).length;
}

const proposalsSeen = new WeakMap<EmulatedUser, number[]>();

/**
 * Waits for a proposal (a message with an accept button) this helper has not returned for
 * this user before, and remembers it.
 */
export async function expectProposal(
  user: EmulatedUser,
  timeoutMs = 10_000,
): Promise<{ message: Message; matchId: number }> {
  const seen = proposalsSeen.get(user) ?? [];
  const idOf = (message: Message) => {
    const data = user
      .inlineButtons(message)
      .map((b) => ('callback_data' in b ? parseCallback(b.callback_data ?? '') : null))
      .find((d) => d?.type === 'proposal' && d.answer === 'accept');
    return data?.type === 'proposal' ? data.matchId : undefined;
  };
  const message = await user.waitForBotMessage(
    (m) => {
      const id = idOf(m);
      return id !== undefined && !seen.includes(id);
    },
    { timeoutMs, since: 'beginning' },
  );
  const matchId = idOf(message)!;
  proposalsSeen.set(user, [...seen, matchId]);
  return { message, matchId };
}

/**
 * Both users search, get a proposal for each other and accept it; resolves with the match id
 * once both have the chat intro.
 */
export async function matchPair(
  a: EmulatedUser,
  b: EmulatedUser,
  timeoutMs = 10_000,
): Promise<number> {
  await a.sendCommand('find');
  await b.sendCommand('find');
  const pa = await expectProposal(a, timeoutMs);
  const pb = await expectProposal(b, timeoutMs);
  if (pa.matchId !== pb.matchId) throw new Error('the two users were proposed different matches');
  const intro = /Чат открыт|chat is open/;
  const introA = a.waitForBotMessage(hasText(intro), { since: 'now', timeoutMs });
  const introB = b.waitForBotMessage(hasText(intro), { since: 'now', timeoutMs });
  const accept = (matchId: number) => packCallback({ type: 'proposal', answer: 'accept', matchId });
  await a.pressButton(pa.message.message_id, accept(pa.matchId));
  await b.pressButton(pb.message.message_id, accept(pb.matchId));
  await Promise.all([introA, introB]);
  return pa.matchId;
}

/** The user's proposal messages that still show buttons (not yet answered or closed). */
export function openProposals(user: EmulatedUser): Message[] {
  return user
    .botMessages()
    .filter((m) =>
      user
        .inlineButtons(m)
        .some(
          (b) => 'callback_data' in b && parseCallback(b.callback_data ?? '')?.type === 'proposal',
        ),
    );
}

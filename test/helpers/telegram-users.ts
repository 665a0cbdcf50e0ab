import type { Message } from 'grammy/types';
import type { BotApiEmulator, EmulatedUser } from '../../src/emulator/index.js';

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
  await user.start();
  const rules = await expectButton(user, /^rules:accept$/);
  await user.pressButton(rules.message_id, 'rules:accept');
  let picker = await expectButton(user, /^topics:done$/);
  for (const topic of options.topics) {
    await user.pressButton(picker.message_id, `topic:${topic}`);
    picker = await user.waitForBotMessage(
      (message) =>
        message.message_id === picker.message_id &&
        user
          .inlineButtons(message)
          .some(
            (b) =>
              'callback_data' in b &&
              b.callback_data === `topic:${topic}` &&
              b.text.startsWith('✅'),
          ),
      { timeoutMs: 5_000, since: 'beginning' },
    );
  }
  await user.pressButton(picker.message_id, 'topics:done');
  const zones = await expectButton(user, /^tz:/);
  await user.pressButton(zones.message_id, `tz:${options.timeZone ?? 'Europe/Moscow'}`);
  await user.waitForBotMessage(hasText(/Профиль готов|profile is ready/), { timeoutMs: 5_000 });
  return user;
}

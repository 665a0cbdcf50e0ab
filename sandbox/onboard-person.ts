import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import type { Person } from './person.js';

const TIMEOUT_MS = 15_000;

const hasButton = (user: EmulatedUser, data: (value: string) => boolean) => (message: Message) =>
  user
    .inlineButtons(message)
    .some((button) => 'callback_data' in button && data(button.callback_data ?? ''));

export interface OnboardingChoices {
  topicIds: readonly number[];
  timeZone: string;
  /** How long to wait for each bot answer; default 15 s. */
  timeoutMs?: number;
}

/**
 * Goes through the bot's onboarding as a person does: /start, "I agree", one press per
 * topic (waiting for the keyboard to show it selected), "Done", then a time zone button.
 * Resolves when the bot says the profile is ready.
 */
export async function onboardUser(user: EmulatedUser, choices: OnboardingChoices): Promise<void> {
  const timeoutMs = choices.timeoutMs ?? TIMEOUT_MS;
  const wait = (predicate: (message: Message) => boolean) =>
    user.waitForBotMessage(predicate, { timeoutMs, since: 'beginning' });
  await user.start();
  const rules = await wait(hasButton(user, (data) => data === 'rules:accept'));
  await user.pressButton(rules.message_id, 'rules:accept');
  let picker = await wait(hasButton(user, (data) => data === 'topics:done'));
  for (const topic of choices.topicIds) {
    await user.pressButton(picker.message_id, `topic:${topic}`);
    const pickerId = picker.message_id;
    picker = await wait(
      (message) =>
        message.message_id === pickerId &&
        user
          .inlineButtons(message)
          .some(
            (button) =>
              'callback_data' in button &&
              button.callback_data === `topic:${topic}` &&
              button.text.startsWith('✅'),
          ),
    );
  }
  await user.pressButton(picker.message_id, 'topics:done');
  const zones = await wait(hasButton(user, (data) => data.startsWith('tz:')));
  const offered = user
    .inlineButtons(zones)
    .some(
      (button) => 'callback_data' in button && button.callback_data === `tz:${choices.timeZone}`,
    );
  if (offered) {
    await user.pressButton(zones.message_id, `tz:${choices.timeZone}`);
  } else {
    await user.sendText(choices.timeZone); // not among the buttons: type it, as people do
  }
  await user.waitForBotMessage(
    (message) => /Профиль готов|profile is ready/.test(message.text ?? ''),
    { timeoutMs },
  );
}

export function onboardPerson(person: Person): Promise<void> {
  return onboardUser(person.user, {
    topicIds: person.profile.topicIds,
    timeZone: person.profile.timeZone,
  });
}

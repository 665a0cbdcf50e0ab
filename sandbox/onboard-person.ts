import type { Message } from 'grammy/types';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import { packCallback, parseCallback, type CallbackData } from '../src/bot/callback-data.js';
import type { Person } from './person.js';

const TIMEOUT_MS = 15_000;

/** True for a message with a button whose data is `wanted` and whose text passes `text`. */
const hasButton =
  (user: EmulatedUser, wanted: (data: CallbackData) => boolean, text = (_: string) => true) =>
  (message: Message) =>
    user.inlineButtons(message).some((button) => {
      const data = 'callback_data' in button ? parseCallback(button.callback_data ?? '') : null;
      return data !== null && wanted(data) && text(button.text);
    });

const RULES = packCallback({ type: 'rules' });
const DONE = packCallback({ type: 'topics.done', mode: 'onboarding' });

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
  const rules = await wait(hasButton(user, (data) => data.type === 'rules'));
  await user.pressButton(rules.message_id, RULES);
  let picker = await wait(hasButton(user, (data) => packCallback(data) === DONE));
  for (const topic of choices.topicIds) {
    const press = packCallback({ type: 'topic', topicId: topic, mode: 'onboarding' });
    await user.pressButton(picker.message_id, press);
    const pickerId = picker.message_id;
    const chosen = hasButton(
      user,
      (data) => packCallback(data) === press,
      (text) => text.startsWith('✅'),
    );
    picker = await wait((message) => message.message_id === pickerId && chosen(message));
  }
  await user.pressButton(picker.message_id, DONE);
  const zones = await wait(hasButton(user, (data) => data.type === 'tz'));
  const zone = packCallback({ type: 'tz', zone: choices.timeZone });
  if (hasButton(user, (data) => packCallback(data) === zone)(zones)) {
    await user.pressButton(zones.message_id, zone);
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

import { strict as assert } from 'node:assert';
import type { Job } from 'bullmq';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import type { TestApp } from './app-harness.js';
import { eventually } from './eventually.js';
import { expectButton } from './telegram-users.js';
import { packCallback, type AgainAction } from '../../src/bot/callback-data.js';

/** Steps of the chat-again e2e tests (test/e2e/bot-again*.test.ts). */

/** An Etc/GMT zone where the local hour is `hour` now (Etc/GMT-3 is UTC+3), and its offset. */
export function zoneAtLocalHour(hour: number): { zone: string; offset: number } {
  let offset = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  const zone = offset === 0 ? 'Etc/UTC' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
  return { zone, offset };
}

export const againData = (action: AgainAction, id: number) =>
  packCallback({ type: 'again', action, id });

/** Presses the button and returns the text of its answer (the toast). */
export async function press(user: EmulatedUser, message: Message, data: string): Promise<string> {
  const query = await user.pressButton(message.message_id, data);
  return (await user.waitForCallbackAnswer(query, 10_000)).text ?? '';
}

/** The newest bot message carrying a button whose data matches, once it arrives. */
export async function newestWithButton(user: EmulatedUser, data: RegExp): Promise<Message> {
  await expectButton(user, data, 10_000);
  const withIt = user
    .botMessages()
    .filter((m) =>
      user.inlineButtons(m).some((b) => 'callback_data' in b && data.test(b.callback_data ?? '')),
    );
  return withIt[withIt.length - 1]!;
}

export const userIdOf = (t: TestApp, tgId: number) =>
  t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
    SELECT id FROM users WHERE tg_id = ${tgId}`);

/** Waits for a message, new or an edit, with this id whose text matches. */
export const edited = (user: EmulatedUser, messageId: number, pattern: RegExp) =>
  user.waitForBotMessage((m) => m.message_id === messageId && pattern.test(m.text ?? ''), {
    timeoutMs: 15_000,
    since: 'beginning',
  });

/**
 * A held delivery's delayed job survives a restart of the app, and when it fires while it is
 * still night for its person, it only holds the delivery again: it ran, and is delayed anew.
 */
export async function restartThenFireAtNight(
  t: TestApp,
  heldJob: () => Promise<Job | undefined>,
): Promise<void> {
  await t.restartApp();
  const job = await heldJob();
  assert.equal(await job?.getState(), 'delayed', 'still held after the restart');
  await job!.promote();
  await eventually(
    async () => {
      const again = await heldJob();
      return again?.processedOn !== undefined && (await again.getState()) === 'delayed';
    },
    10_000,
    'the job ran, saw the night and waits again',
  );
}

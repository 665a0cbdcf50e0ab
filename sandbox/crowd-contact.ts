import { packCallback } from '../src/bot/callback-data.js';
import type { AgainCrowd } from './crowd-again.js';
import type { Person, Seen } from './person.js';

/** What the contact exchange needs from the crowd: its randomness and its clock. */
export type ContactCrowd = Pick<AgainCrowd, 'random' | 'later'>;

/**
 * After a good chat some people ask to exchange contacts; most who are asked agree, and a
 * few who asked change their mind before the partner answers.
 */
export function offerContact(
  { random, later }: ContactCrowd,
  person: Person,
  seen: Extract<Seen, { kind: 'contact.offered' }>,
): void {
  const chance = seen.asked ? 0.6 : 0.15 * person.chatQuality;
  if (!random.chance(chance)) return;
  const press = (action: 'request' | 'withdraw', messageId: number) =>
    person.user.pressButton(
      messageId,
      packCallback({ type: 'contact', action, matchId: seen.matchId }),
    );
  later(random.logNormal(6, 0.6), async () => {
    await press('request', seen.messageId);
    if (seen.asked || !random.chance(0.2)) return;
    const mine = await person.user.waitForBotMessage(
      (message) => message.text === person.texts.contactRequested,
      { timeoutMs: 10_000 },
    );
    later(random.logNormal(4, 0.5), () => press('withdraw', mine.message_id));
  });
}

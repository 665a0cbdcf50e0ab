import type { CallbackData } from '../src/bot/callback-data.js';
import { packCallback } from '../src/bot/callback-data.js';
import type { Texts } from '../src/bot/i18n/index.js';
import type { Random } from '../sim-kit/random.js';
import { acceptChance, type Person } from './person.js';

/**
 * Chat again in the simulated crowd: after a good chat some people press "I'd chat again";
 * now and then an idle person with saved partners sends /again and invites one; an invited
 * person answers like any proposal. So the acceptance run exercises saved pairs and direct
 * proposals, held ones included when a partner's night comes.
 */

/** What a person reads in the messages of chat again. */
export type AgainSeen =
  /** A direct proposal: `inviter` when it is their own copy, which only offers to withdraw. */
  | { kind: 'again.proposal'; matchId: number; messageId: number; inviter: boolean }
  /** The /again list, with the saved partners' user ids. */
  | { kind: 'again.list'; messageId: number; partnerIds: number[] }
  /** Their invitation went nowhere now (held for the night, busy, declined, expired). */
  | { kind: 'again.over' };

/** Chance that someone presses "I'd chat again" after a chat they rated 4 or 5. */
export const AGAIN_WISH_CHANCE = 0.5;
/** Chance that an idle person picked to search sends /again instead. */
export const AGAIN_INVITE_CHANCE = 0.15;

/** True when `text` is what `line` gives for some names and times (its parameters). */
function isLine(text: string, line: (...values: string[]) => string): boolean {
  const parts = line('\u0000', '\u0000').split('\u0000');
  const escaped = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's').test(text);
}

/** The chat-again meaning of a bot message, or null when it is about something else. */
export function readAgain(
  text: string,
  data: readonly CallbackData[],
  messageId: number,
  t: Texts,
): AgainSeen[] | null {
  const again = data.filter((value) => value.type === 'again');
  // The rating message's "I'd chat again" is read with the rating (see maybeWish).
  if (again.some((value) => value.action === 'wish')) return null;
  const yes = again.find((value) => value.action === 'yes');
  if (yes) return [{ kind: 'again.proposal', matchId: yes.id, messageId, inviter: false }];
  const no = again.find((value) => value.action === 'no');
  if (no) return [{ kind: 'again.proposal', matchId: no.id, messageId, inviter: true }];
  const invites = again.filter((value) => value.action === 'invite').map((value) => value.id);
  if (invites.length || text === t.againNone) {
    return [{ kind: 'again.list', messageId, partnerIds: invites }];
  }
  const status = text.slice(text.lastIndexOf('\n') + 1);
  const named = [t.againDeclined, t.againExpiredInviter, t.againPartnerBusy, t.againAlreadyHeld];
  const fixed = [t.againBusy, t.againRefused, t.againNotSaved, t.againWithdrawn, t.againExpired];
  if (
    isLine(text, t.againHeld) ||
    named.some((line) => isLine(status, line)) ||
    fixed.includes(status)
  ) {
    return [{ kind: 'again.over' }];
  }
  return null;
}

export interface AgainCrowd {
  random: Random;
  /** Runs `task` after `seconds` on the sandbox clock. */
  later(seconds: number, task: () => Promise<unknown>): void;
  rest(person: Person): void;
}

/** Presses "I'd chat again" after a good chat, sometimes. */
export function maybeWish(crowd: AgainCrowd, person: Person, messageId: number, matchId: number) {
  if (person.chatQuality < 0.5 || !crowd.random.chance(AGAIN_WISH_CHANCE)) return;
  crowd.later(crowd.random.logNormal(4, 0.5), () =>
    person.user.pressButton(
      messageId,
      packCallback({ type: 'again', action: 'wish', id: matchId }),
    ),
  );
}

/** How a person acts on what chat again showed them. */
export function reactAgain(crowd: AgainCrowd, person: Person, seen: AgainSeen): void {
  const { random } = crowd;
  switch (seen.kind) {
    case 'again.list': {
      if (!seen.partnerIds.length) return crowd.rest(person);
      const partner = random.pick(seen.partnerIds);
      const invite = packCallback({ type: 'again', action: 'invite', id: partner });
      crowd.later(random.logNormal(3, 0.4), () => person.user.pressButton(seen.messageId, invite));
      return;
    }
    case 'again.proposal': {
      person.state = 'proposed';
      person.matchId = seen.matchId;
      if (seen.inviter || random.chance(person.profile.ignoreChance)) return;
      const accept = random.chance(acceptChance(person, 0.7));
      const answer = packCallback({
        type: 'again',
        action: accept ? 'yes' : 'no',
        id: seen.matchId,
      });
      crowd.later(random.logNormal(person.profile.answerDelaySeconds, 0.7), async () => {
        await person.user.pressButton(seen.messageId, answer);
        if (!accept && person.state === 'proposed') crowd.rest(person);
      });
      return;
    }
    case 'again.over':
      return crowd.rest(person);
  }
}

/** Instead of "Find", an idle person sometimes opens /again (resting until it is answered). */
export function maybeInvite(crowd: AgainCrowd, person: Person): boolean {
  if (!crowd.random.chance(AGAIN_INVITE_CHANCE)) return false;
  person.state = 'proposed';
  void person.user.sendCommand('again').catch(() => undefined);
  return true;
}

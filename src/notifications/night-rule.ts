import type { Logger } from '../logger.js';
import type { WakeHolds } from '../time/wake-hold.js';
import type { Notice, Notifier } from './notifier.js';

/**
 * What becomes of a notice that would reach someone during their local night:
 * - `now`: it answers something they just did (or is the conversation they are in), so it goes;
 * - `hold`: it can wait, and is delivered when their waking hours begin (a wake hold);
 * - `drop`: by morning it says nothing worth a message.
 */
export type NightHandling = 'now' | 'hold' | 'drop';

/**
 * The night rule, kind by kind. A proposal only reaches someone who is searching (a search
 * they started, or a standing request, which the matcher proposes only while they are awake)
 * and a direct invitation is held before it becomes a proposal, so the proposal's own notices
 * answer what the person did.
 */
export function nightHandling(notice: Notice): NightHandling {
  switch (notice.kind) {
    case 'proposal': // their search found someone
    case 'chat.started': // they accepted
    case 'proposal.declined': // they declined, or the card they are answering is gone
    case 'proposal.expired': // the card they were shown ran out; their search goes on
    case 'search.expired': // the search they started ended
      return 'now';
    case 'chat.ended':
      // Their own /end, or the chat they are writing in: their next message would go nowhere.
      // Hours of silence ending a chat can wait for the morning.
      return notice.by === 'idle' ? 'hold' : 'now';
    case 'contact.requested':
    case 'contact.withdrawn':
    case 'contact.revealed':
    case 'again.saved':
    case 'suspension.lifted':
    case 'appeal.kept':
    case 'standing.ended': // hours after the person asked: it can wait for the morning
      return 'hold';
    case 'pause.ended':
      // A pause that ends at night ends quietly: the next /find simply works.
      return 'drop';
  }
}

/** The hold id of a notice: one per person and notice, so a notice retried is held once. */
export function heldNoticeId(userId: number, notice: Notice): string {
  const parts = Object.values(notice).filter(
    (value) => typeof value === 'string' || typeof value === 'number',
  );
  return `notice-${userId}-${parts.join('-').replace(/[^\w.-]/g, '_')}`;
}

/**
 * The one place where notices leave, wrapped: during someone's local night (their own waking
 * hours, else WAKING_HOURS) a notice that can wait is held until morning, one that would be
 * stale by then is dropped, and an answer goes now. Awake people are not asked about: only a
 * kind that may wait costs the look-up.
 */
export function createNightRule(deps: {
  notifier: Notifier;
  holds: WakeHolds;
  log: Logger;
}): Notifier {
  const { notifier, holds, log } = deps;
  return {
    async notify(userId, notice, options) {
      const handling = nightHandling(notice);
      if (handling === 'now' || (await holds.isAwake(userId))) {
        return notifier.notify(userId, notice, options);
      }
      if (handling === 'drop') {
        log.info({ userId, kind: notice.kind }, 'night: notice dropped');
        return;
      }
      if (notice.kind === 'contact.withdrawn') {
        // A press withdrawn before its notice left: nothing to tell in the morning at all.
        const requested = heldNoticeId(userId, { ...notice, kind: 'contact.requested' });
        if (await holds.isHeld(requested)) return holds.cancel(requested);
      }
      await holds.hold(heldNoticeId(userId, notice), userId, { kind: 'notice', userId, notice });
      log.info({ userId, kind: notice.kind }, 'night: notice held until morning');
    },
  };
}

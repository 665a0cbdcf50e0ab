import type { Notice } from '../notifications/notifier.js';

/**
 * Every outbound message key, spelled here only. A key names one message: the outbound queue
 * sends a key once, so a replayed effect or a redelivered update cannot send a second copy,
 * and a later edit or reply finds the message it refers to by the key it was sent with.
 * Keys use the outbound queue's alphabet (letters, digits, `_.-`).
 */
export const messageKeys = {
  /** The proposal message; the notices that close a proposal edit it by this key. */
  proposal: (matchId: number, userId: number) => `m${matchId}-proposal-u${userId}`,

  /** The one message (or first of several) that tells `userId` about `notice`. */
  notice(userId: number, notice: Notice): string {
    switch (notice.kind) {
      case 'proposal':
        return messageKeys.proposal(notice.matchId, userId);
      case 'chat.started':
        return `m${notice.matchId}-intro-u${userId}`;
      case 'proposal.declined':
        return `m${notice.matchId}-declined-u${userId}`;
      case 'proposal.expired':
        return `m${notice.matchId}-expired-u${userId}`;
      case 'search.expired':
        return `s${notice.searchId}-expired`;
      case 'chat.ended':
        return `c${notice.matchId}-ended-u${userId}`;
      case 'contact.requested':
        return messageKeys.contactRequest(notice.matchId, userId, notice.round);
      case 'contact.withdrawn':
        return `${messageKeys.contactRequest(notice.matchId, userId, notice.round)}-withdrawn`;
      case 'contact.revealed':
        return `c${notice.matchId}-contact-u${userId}`;
      case 'again.saved':
        return `c${notice.matchId}-again-u${userId}`;
      case 'pause.ended':
        return `u${userId}-pause${notice.untilMs}-ended`;
      case 'suspension.lifted':
        return `u${userId}-lifted-${notice.suspendedAt}`;
      case 'appeal.kept':
        return `a${notice.appealId}-kept`;
      case 'standing.ended':
        return `s${notice.searchId}-standing-ended`;
    }
  },

  /** A further message sent for the same notice (`part`: the edit of the proposal). */
  part: (key: string, part: 'edit') => `${key}-${part}`,

  /**
   * The `n`th message a bot update sends or edits: a redelivered update (same update_id)
   * produces the same keys.
   */
  update: (updateId: number, kind: 'say' | 'edit', n: number) => `upd${updateId}-${kind}${n}`,

  /** The copy of a chat message relayed to the partner; edits and replies refer to it. */
  relay: (matchId: number, chatId: number, messageId: number) =>
    `relay-${matchId}-${chatId}-${messageId}`,

  /** One edit (by its edit date) of a relayed copy. */
  relayEdit: (relayKey: string, version: number) => `${relayKey}-edit${version}`,

  /** "Your partner would like to exchange contacts", told to `userId` for the partner's round. */
  contactRequest: (matchId: number, userId: number, round: number) =>
    `c${matchId}-contact-ask${round}-u${userId}`,

  /** Report `reportId` (or appeal `appealId`) as shown to the operator `adminTgId`. */
  adminReport: (reportId: number, adminTgId: number) => `r${reportId}-admin${adminTgId}`,
  adminAppeal: (appealId: number, adminTgId: number) => `a${appealId}-admin${adminTgId}`,
};

import type { SearchSettlement } from '../../machines/proposal.machine.js';

/** Something a user must be told. The bot renders it in the user's language. */
export type Notice =
  | { kind: 'proposal'; matchId: number; partnerId: number }
  | { kind: 'chat.started'; matchId: number; partnerId: number }
  | { kind: 'proposal.declined'; matchId: number; role: 'decliner' | 'partner' }
  | { kind: 'proposal.expired'; matchId: number; outcome: SearchSettlement }
  | { kind: 'search.expired'; searchId: string; minutes: number }
  /** `rate`: the same message asks for a rating of the chat. */
  | {
      kind: 'chat.ended';
      matchId: number;
      by: 'you' | 'partner' | 'idle' | 'safety';
      rate: boolean;
    }
  /** The partner of chat `matchId` would like to exchange contacts (their `round`th press). */
  | { kind: 'contact.requested'; matchId: number; round: number }
  /** ... and has withdrawn that press. */
  | { kind: 'contact.withdrawn'; matchId: number; round: number }
  /** Both pressed: the other's contact (a username, or a mention by Telegram id). */
  | {
      kind: 'contact.revealed';
      matchId: number;
      contact: { name: string; username: string | null; tgId: number };
    }
  /** The partner of the chat of `matchId` would chat again too: the pair is saved. */
  | { kind: 'again.saved'; matchId: number; partnerId: number }
  /** A /pause ran out (`untilMs`: when it was to end); sent only while the person is awake. */
  | { kind: 'pause.ended'; untilMs: number }
  /** Operators lifted the suspension that began at `suspendedAt` (epoch ms). */
  | { kind: 'suspension.lifted'; suspendedAt: number }
  /** Operators read appeal `appealId` and kept the suspension. */
  | { kind: 'appeal.kept'; appealId: number }
  /** The standing request ("Keep looking and notify me") of `searchId` ran its `hours` out. */
  | { kind: 'standing.ended'; searchId: string; hours: number };

export type NoticeKind = Notice['kind'];

export interface NotifyOptions {
  /**
   * Queue only those of the notice's messages that were never delivered. For the repair after
   * Redis lost the queue: a message that did arrive must not cost a send, nor a place in the
   * user's chat, a second time.
   */
  onlyUndelivered?: boolean;
}

/** What the core needs to reach people; the Telegram room implements it. */
export interface Notifier {
  /**
   * Queues the message(s) that tell `userId` about `notice`. At most once per user and
   * notice: effects run at least once, so the same notice may arrive again and must not
   * produce a second message.
   */
  notify(userId: number, notice: Notice, options?: NotifyOptions): Promise<void>;
}

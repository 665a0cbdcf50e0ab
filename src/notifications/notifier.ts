import type { SearchOutcome } from '../../machines/proposal.machine.js';

/** Something a user must be told. The bot renders it in the user's language. */
export type Notice =
  | { kind: 'proposal'; matchId: number; partnerId: number }
  | { kind: 'chat.started'; matchId: number; partnerId: number }
  | { kind: 'proposal.declined'; matchId: number; role: 'decliner' | 'partner' }
  | { kind: 'proposal.expired'; matchId: number; outcome: SearchOutcome }
  | { kind: 'search.expired'; minutes: number }
  | { kind: 'chat.ended'; matchId: number; by: 'you' | 'partner' | 'idle' | 'safety' }
  | { kind: 'feedback.request'; matchId: number };

export interface Notifier {
  /**
   * Queues a message for `userId`. At most once per `key`: effects run at least once, so
   * the same key may arrive again and must not produce a second message.
   */
  notify(userId: number, notice: Notice, key: string): Promise<void>;
}

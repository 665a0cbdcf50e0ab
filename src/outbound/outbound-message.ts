/** Bot API methods that send or edit a message; all of them go through the outbound queue. */
export const OUTBOUND_METHODS = [
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'editMessageCaption',
  'copyMessage',
  'deleteMessage',
] as const;
export type OutboundMethod = (typeof OUTBOUND_METHODS)[number];

/**
 * One outgoing Bot API call. `key` makes it idempotent: a key is queued at most once and,
 * once delivered, never sent again (see delivered_messages).
 */
export interface OutboundMessage {
  key: string;
  chatId: number;
  method: OutboundMethod;
  /** The Bot API parameters, without chat_id (taken from chatId). */
  payload: Record<string, unknown>;
  /**
   * For edits of a message sent earlier through this queue: the key it was sent with. The
   * sender fills in `message_id` when it runs, because it is not known when the edit is queued.
   */
  messageRef?: string;
  /** Tells the sender who this message is for, so a 403 can mark the user inactive. */
  userId?: number;
  /**
   * Makes the message a reply to one sent earlier through this queue to the same chat: the
   * key it was sent with. Resolved when the message goes out; sent as a plain message if the
   * original never went out.
   */
  replyToRef?: string;
  /**
   * For a relayed copy: the original message. Recorded once delivered, so that when the
   * recipient replies to the copy, the reply can point at the original on the other side.
   */
  copyOf?: { chatId: number; messageId: number };
  /**
   * Leaves no trace once sent: not recorded in delivered_messages and the job is removed at
   * once. For the last messages to a user who erased their data.
   */
  ephemeral?: boolean;
  /** Set by the queue: this message's place among the messages to its chat. */
  seq?: number;
}

/** BullMQ job ids cannot contain ':'; keys are ours, so keep them to a safe alphabet. */
export function assertValidKey(key: string): void {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(key)) throw new Error(`invalid outbound key ${key}`);
}

import type { Opts } from 'grammy/types';

/** The Bot API parameters of `M` without chat_id, which the sender takes from `chatId`. */
type InChat<M extends keyof OutboundPayloads> = Omit<Opts<M>, 'chat_id'>;
/**
 * The parameters of an edit. `message_id` may be left out when the message is
 * named by `messageRef` instead: the sender fills it in once that message went out.
 */
type OfMessage<M extends 'editMessageText' | 'editMessageCaption'> = Omit<
  Opts<M>,
  'chat_id' | 'message_id' | 'inline_message_id'
> & { message_id?: number };

/** Bot API methods that send or edit a message, each with its parameters. */
export interface OutboundPayloads {
  sendMessage: InChat<'sendMessage'>;
  copyMessage: InChat<'copyMessage'>;
  editMessageText: OfMessage<'editMessageText'>;
  editMessageCaption: OfMessage<'editMessageCaption'>;
}
export type OutboundMethod = keyof OutboundPayloads;
export type OutboundPayload<M extends OutboundMethod> = OutboundPayloads[M];

/**
 * One outgoing Bot API call. `key` makes it idempotent: a key is queued at most once and,
 * once delivered, never sent again (see delivered_messages).
 */
interface OutboundEnvelope {
  key: string;
  chatId: number;
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

/** One outgoing Bot API call of method `M`, typed by its parameters. */
export type OutboundMessage<M extends OutboundMethod = OutboundMethod> = {
  [K in M]: OutboundEnvelope & { method: K; payload: OutboundPayloads[K] };
}[M];

/** BullMQ job ids cannot contain ':'; keys are ours, so keep them to a safe alphabet. */
export function assertValidKey(key: string): void {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(key)) throw new Error(`invalid outbound key ${key}`);
}

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
 * Which of a chat's orders a message keeps. Messages of one lane reach the chat in the order
 * they were queued; lanes do not wait for each other, so a proposal never waits behind a
 * rating prompt, and the sender picks `search` messages first when the bot is at its limit.
 * - `search`: proposals, their closing edits and the chat's opening message: what a person
 *   who is looking for someone waits for.
 * - `chat`: relayed chat messages and their edits, in the order they were written.
 * - `reply`: the bot's answers to what a person just did (a command, a button, onboarding).
 * - `notice`: what nobody is waiting for ("chat ended" with the rating prompt, "Looking for a
 *   partner…", a search that expired); the sender takes these last.
 */
export type OutboundLane = 'search' | 'chat' | 'reply' | 'notice';
export const OUTBOUND_LANES: readonly OutboundLane[] = ['search', 'chat', 'reply', 'notice'];

/**
 * What a message is for, counted per purpose once Telegram accepted it: the calls one /find
 * costs, by what they tell the person.
 */
export type OutboundPurpose =
  | 'searching'
  | 'proposal'
  | 'proposal_closed'
  | 'chat_open'
  | 'chat_ended'
  | 'search_expired'
  | 'relay'
  | 'reply'
  | 'contact'
  | 'pause_ended'
  | 'moderation';
export const OUTBOUND_PURPOSES: readonly OutboundPurpose[] = [
  'searching',
  'proposal',
  'proposal_closed',
  'chat_open',
  'chat_ended',
  'search_expired',
  'relay',
  'reply',
  'contact',
  'pause_ended',
  'moderation',
];

/**
 * BullMQ priority by lane: jobs without one are taken before any prioritized job, and smaller
 * numbers before larger ones.
 */
export const LANE_PRIORITY: Record<OutboundLane, number | undefined> = {
  search: undefined,
  chat: 1,
  reply: 1,
  notice: 2,
};

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
  /** Not sent before this time (epoch ms); held until then outside the queue (held-messages.ts). */
  notBefore?: number;
  /**
   * Sent only if this search is still looking for a partner when the message is due (see
   * OutboundSenderDeps.isSearchOpen); dropped once it has a proposal or has ended.
   */
  onlyWhileSearching?: string;
  /**
   * Held only (with `notBefore`): the "partner skipped" edit of this match's card, dropped
   * when the recipient's (`userId`'s) next proposal came first, since its card says it (see
   * settleSkipNotice).
   */
  skipNoticeOf?: number;
  /** Which order of the chat this message keeps; `notice` when unset. */
  lane?: OutboundLane;
  /** What it is for (see OutboundPurpose); `reply` when unset. */
  purpose?: OutboundPurpose;
  /**
   * For a person's first proposal: when they pressed /find (epoch ms), so the time until
   * Telegram accepted the proposal is measured where it ends.
   */
  requestedAt?: number;
  /** Set by the queue: this message's place among the messages of its lane to its chat. */
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

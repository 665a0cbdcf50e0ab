import type {
  OutboundLane,
  OutboundPayload,
  OutboundPurpose,
} from '../outbound/outbound-message.js';
import type { BotContext } from './context.js';
import { messageKeys } from './message-keys.js';

// Outgoing messages of one update are numbered, so a redelivered update (same update_id)
// produces the same keys and the outbound queue sends each message once.
const counters = new WeakMap<object, number>();

function nextKey(ctx: BotContext, kind: 'say' | 'edit'): string {
  const n = (counters.get(ctx) ?? 0) + 1;
  counters.set(ctx, n);
  return messageKeys.update(ctx.update.update_id, kind, n);
}

/** What a message may carry besides its text (a keyboard, entities). */
export type SayExtra = Omit<OutboundPayload<'sendMessage'>, 'text'>;
export type EditExtra = Omit<OutboundPayload<'editMessageText'>, 'text' | 'message_id'>;

/**
 * `ephemeral`: leave no record once sent; `lane`: see OutboundLane (`reply` if unset);
 * `purpose`: see OutboundPurpose (`reply` if unset).
 */
export interface SendOptions {
  ephemeral?: boolean;
  lane?: OutboundLane;
  purpose?: OutboundPurpose;
  /** See OutboundMessage. */
  notBefore?: number;
  onlyWhileSearching?: string;
}

/** Sends a message to the current chat through the outbound queue. */
export async function say(
  ctx: BotContext,
  text: string,
  extra: SayExtra = {},
  options: SendOptions = {},
): Promise<void> {
  await sayKeyed(ctx, text, extra, options);
}

/**
 * Like `say`, and resolves with the message's key, so a later edit can name the message (a
 * question whose buttons go once it is answered some other way).
 */
export async function sayKeyed(
  ctx: BotContext,
  text: string,
  extra: SayExtra = {},
  options: SendOptions = {},
): Promise<string | undefined> {
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId === undefined) return undefined;
  const key = nextKey(ctx, 'say');
  await ctx.deps.outbound.enqueue({
    key,
    chatId,
    userId: ctx.user?.id,
    method: 'sendMessage',
    payload: { text, ...extra },
    lane: 'reply',
    ...options,
  });
  return key;
}

/** Edits a message sent earlier to the current chat, named by the key it was sent with. */
export async function editSent(
  ctx: BotContext,
  messageKey: string,
  text: string,
  extra: EditExtra = {},
): Promise<void> {
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId === undefined) return;
  await ctx.deps.outbound.enqueue({
    key: nextKey(ctx, 'edit'),
    chatId,
    userId: ctx.user?.id,
    method: 'editMessageText',
    messageRef: messageKey,
    payload: { text, ...extra },
  });
}

/** Edits the message whose button was pressed, through the outbound queue. */
export async function editPressed(
  ctx: BotContext,
  text: string,
  extra: EditExtra = {},
  options: SendOptions = {},
): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message) return;
  await ctx.deps.outbound.enqueue({
    key: nextKey(ctx, 'edit'),
    chatId: message.chat.id,
    userId: ctx.user?.id,
    method: 'editMessageText',
    payload: { message_id: message.message_id, text, ...extra },
    lane: 'reply',
    ...options,
  });
}

/** Answers a button press right away (not queued: Telegram shows a spinner until it does). */
export async function answer(ctx: BotContext, text?: string): Promise<void> {
  await ctx.answerCallbackQuery(text === undefined ? undefined : { text }).catch(() => undefined);
}

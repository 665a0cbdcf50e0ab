import type { CallbackAnswer } from './callback-query-store.js';
import type { ChatRecord, ChatStatus } from './emulated-chat-store.js';
import type { EmulatorContext } from './emulator-context.js';
import {
  waitForBotMessage,
  type BotMessagePredicate,
  type WaitForBotMessageOptions,
} from './bot-message-waiter.js';
import { inlineButtons } from './message-summary.js';
import type { InlineKeyboardButton, Message, ReplyKeyboardMarkup, User } from './telegram-types.js';

/**
 * What a simulated user sees: the chat transcript, keyboards, callback answers, and waiting
 * for the bot. The actions live in `EmulatedUser`, which extends this.
 */
export class EmulatedUserView {
  /** This user's Telegram object, as the bot sees it in `from`. */
  readonly user: User;
  /** Event sequence number at this user's last action (see `waitForBotMessage`). */
  protected lastActionSeq = 0;

  constructor(
    protected readonly ctx: EmulatorContext,
    protected readonly chat: ChatRecord,
  ) {
    this.user = chat.user;
  }

  get id(): number {
    return this.user.id;
  }

  /** The private chat id, equal to the user id. */
  get chatId(): number {
    return this.chat.id;
  }

  /** `new` until the user's first message, then `open`, or `blocked`. */
  get status(): ChatStatus {
    return this.chat.status;
  }

  /** What the bot answered to a callback query, or undefined while unanswered. */
  callbackAnswer(queryId: string): CallbackAnswer | undefined {
    return this.ctx.callbacks.answerOf(queryId);
  }

  waitForCallbackAnswer(queryId: string, timeoutMs = 2000): Promise<CallbackAnswer> {
    return this.ctx.callbacks.waitForAnswer(queryId, timeoutMs);
  }

  /** The chat as the user sees it: every message in order, edits applied, deletions gone. */
  messages(): Message[] {
    return [...this.chat.messages.values()];
  }

  botMessages(): Message[] {
    return this.messages().filter((message) => message.from?.id === this.ctx.bot.id);
  }

  lastBotMessage(): Message | undefined {
    return this.botMessages().at(-1);
  }

  /** The reply keyboard the client currently shows, if any. */
  replyKeyboard(): ReplyKeyboardMarkup | undefined {
    return this.chat.replyKeyboard;
  }

  /** The inline buttons of a message (default: the last bot message), flattened. */
  inlineButtons(message: Message | undefined = this.lastBotMessage()): InlineKeyboardButton[] {
    return inlineButtons(message);
  }

  /** Resolves with the first bot message (new or edited) that matches; see the options. */
  waitForBotMessage(
    predicate: BotMessagePredicate = () => true,
    options: number | WaitForBotMessageOptions = {},
  ): Promise<Message> {
    const { timeoutMs = 2000, since = 'lastAction' } =
      typeof options === 'number' ? { timeoutMs: options } : options;
    const fromSeq =
      since === 'now'
        ? this.ctx.chats.currentSeq()
        : since === 'beginning'
          ? 0
          : this.lastActionSeq;
    return waitForBotMessage(this.ctx.chats, this.chat, fromSeq, predicate, timeoutMs);
  }

  /** Performs an action and remembers the point in time, for `waitForBotMessage`. */
  protected act(action: () => unknown): void {
    this.lastActionSeq = this.ctx.chats.currentSeq();
    action();
  }

  protected botMessage(messageId: number): Message {
    const message = this.chat.messages.get(messageId);
    if (!message || message.from?.id !== this.ctx.bot.id) {
      throw new Error(`chat ${this.chat.id} has no bot message ${messageId}`);
    }
    return message;
  }
}

/** Runs a synchronous action as a promise, so a refused action rejects instead of throwing. */
export function attempt<T>(action: () => T): Promise<T> {
  try {
    return Promise.resolve(action());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

import { randomInt } from 'node:crypto';
import { apiErrors } from './bot-api-error.js';
import type { Chat, Message, ReplyKeyboardMarkup, User } from './telegram-types.js';

/**
 * Lifecycle of a private chat: `new` (Telegram knows the user, but they never pressed Start,
 * so the bot may not write first), `open`, or `blocked` by the user.
 */
export type ChatStatus = 'new' | 'open' | 'blocked';

/** A bot message appearing or changing, as a simulated user would notice it. */
export interface BotMessageEvent {
  kind: 'sent' | 'edited';
  chatId: number;
  /** The message as it is right after this event (edits produce a new object). */
  message: Message;
  /** Emulator-wide sequence number, increasing in the order events happened. */
  seq: number;
}

export interface ChatRecord {
  readonly id: number;
  readonly user: User;
  readonly chat: Chat.PrivateChat;
  status: ChatStatus;
  /** Private chats share one message id sequence for both sides, starting at 1. */
  nextMessageId: number;
  /** Current state of every message, in id order; deleted ones are removed. */
  readonly messages: Map<number, Message>;
  /** The reply keyboard the user's client shows, if the bot sent one. */
  replyKeyboard?: ReplyKeyboardMarkup;
  /** Stable per chat, as Telegram's `chat_instance` in callback queries. */
  readonly chatInstance: string;
  /** Recent bot message events, oldest first (bounded). */
  readonly events: BotMessageEvent[];
}

/** How many bot message events a chat keeps for `waitForBotMessage` look-backs. */
const EVENTS_KEPT = 500;

/** The content fields of a new message; the store adds id, date and chat. */
export type MessageFields = Omit<Message, 'message_id' | 'date' | 'chat'>;

/** All private chats between the bot and simulated users, with their message history. */
export class EmulatedChatStore {
  private readonly chats = new Map<number, ChatRecord>();
  private readonly listeners = new Set<(event: BotMessageEvent) => void>();
  private seq = 0;

  constructor(
    private readonly clock: () => number,
    /** Oldest messages beyond this many per chat are forgotten, bounding long runs. */
    private readonly maxMessagesPerChat: number,
    /** Listener failures must not fail the API call that triggered them; they go here. */
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {}

  /** Registers a user (and their not-yet-started private chat). */
  addUser(user: User): ChatRecord {
    if (this.chats.has(user.id))
      throw new Error(`a simulated user with id ${user.id} already exists`);
    const chat: Chat.PrivateChat = { id: user.id, type: 'private', first_name: user.first_name };
    if (user.last_name) chat.last_name = user.last_name;
    if (user.username) chat.username = user.username;
    const record: ChatRecord = {
      id: user.id,
      user,
      chat,
      status: 'new',
      nextMessageId: 1,
      messages: new Map(),
      chatInstance: String(randomInt(1, 2 ** 47) * (randomInt(2) === 0 ? -1 : 1)),
      events: [],
    };
    this.chats.set(user.id, record);
    return record;
  }

  get(chatId: number): ChatRecord | undefined {
    return this.chats.get(chatId);
  }

  /** A chat the bot may read (getChat, copy source): it must have been started once. */
  requireKnown(chatId: number): ChatRecord {
    const chat = this.chats.get(chatId);
    if (!chat || chat.status === 'new') throw apiErrors.chatNotFound();
    return chat;
  }

  /** A chat the bot may write to: started and not blocked. */
  requireWritable(chatId: number): ChatRecord {
    const chat = this.chats.get(chatId);
    if (!chat) throw apiErrors.chatNotFound();
    if (chat.status === 'new') throw apiErrors.cantInitiate();
    if (chat.status === 'blocked') throw apiErrors.botBlocked();
    return chat;
  }

  /** Appends a message with the next id in that chat and the current date. */
  append(chat: ChatRecord, fields: MessageFields): Message {
    // Field order as Telegram writes it: id, sender, chat, date, then the content.
    const message = {
      message_id: chat.nextMessageId,
      from: fields.from,
      chat: chat.chat,
      date: this.unixNow(),
      ...fields,
    } as Message;
    chat.nextMessageId += 1;
    chat.messages.set(message.message_id, message);
    if (chat.messages.size > this.maxMessagesPerChat) {
      chat.messages.delete(chat.messages.keys().next().value!);
    }
    return message;
  }

  /** Stores a new version of an existing message (edits never mutate the old object). */
  replace(chat: ChatRecord, message: Message): void {
    chat.messages.set(message.message_id, message);
  }

  delete(chat: ChatRecord, messageId: number): boolean {
    return chat.messages.delete(messageId);
  }

  /** Records and broadcasts a bot message that was sent or edited. */
  emitBotMessage(kind: BotMessageEvent['kind'], chat: ChatRecord, message: Message): void {
    this.seq += 1;
    const event: BotMessageEvent = { kind, chatId: chat.id, message, seq: this.seq };
    chat.events.push(event);
    if (chat.events.length > EVENTS_KEPT) chat.events.splice(0, chat.events.length - EVENTS_KEPT);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Subscribes to bot messages in every chat; returns the unsubscribe function. */
  onBotMessage(listener: (event: BotMessageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The sequence number of the latest event, to wait for anything newer. */
  currentSeq(): number {
    return this.seq;
  }

  unixNow(): number {
    return Math.floor(this.clock() / 1000);
  }
}

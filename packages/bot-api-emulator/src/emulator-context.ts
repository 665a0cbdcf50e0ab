import type { EmulatorLogger } from './emulator-logger.js';
import type { BotSettingsStore } from './bot-settings-store.js';
import type { CallbackQueryStore } from './callback-query-store.js';
import type { EmulatedChatStore } from './emulated-chat-store.js';
import type { EmulatedFileStore } from './emulated-file-store.js';
import type { UploadedFile } from './request-body.js';
import type { ApiParams, User, UserFromGetMe } from './telegram-types.js';
import type { UpdateQueue } from './update-queue.js';
import type { WebhookDelivery } from './webhook-delivery.js';

/** The emulated Telegram's state, shared by the method handlers and the simulated users. */
export interface EmulatorContext {
  readonly bot: UserFromGetMe;
  /** The bot as it appears in `from` of its messages. */
  readonly botAsSender: User;
  readonly chats: EmulatedChatStore;
  readonly files: EmulatedFileStore;
  readonly updates: UpdateQueue;
  readonly webhook: WebhookDelivery;
  readonly callbacks: CallbackQueryStore;
  readonly settings: BotSettingsStore;
  readonly clock: () => number;
  readonly log?: EmulatorLogger;
}

/** Per-call extras beyond the parameters. */
export interface MethodCall {
  /** Files uploaded in a multipart request, by part name. */
  uploads: Map<string, UploadedFile>;
  /** Aborted when the client goes away (ends a long poll early). */
  signal?: AbortSignal;
}

export type MethodHandler = (params: ApiParams, call: MethodCall) => unknown;

export interface MethodSpec {
  handler: MethodHandler;
  /** Counts against the flood limits of the chat in `chat_id`. */
  sendsToChat?: boolean;
}

/** Canonical method name to its spec. */
export type MethodTable = Record<string, MethodSpec>;

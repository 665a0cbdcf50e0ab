/**
 * The Telegram Bot API emulator: an in-process HTTP server that a real bot library (grammY,
 * Telegraf, or plain HTTP) talks to, plus simulated users. Start with `createBotApiEmulator`.
 */
export { createBotApiEmulator } from './bot-api-emulator.js';
export type {
  BotApiEmulator,
  BotApiEmulatorOptions,
  SimulatedUserOptions,
} from './bot-api-emulator-types.js';
export { BotApiError, apiErrors } from './bot-api-error.js';
export type { EmulatorLogger } from './emulator-logger.js';
export type { BotMessagePredicate, WaitForBotMessageOptions } from './bot-message-waiter.js';
export type { CallFilter, RecordedCall } from './call-recorder.js';
export type { CallbackAnswer } from './callback-query-store.js';
export type { BotMessageEvent, ChatStatus } from './emulated-chat-store.js';
export type { MediaHints } from './emulated-file-store.js';
export { EmulatedUser, type UserMediaOptions } from './emulated-user.js';
export { EmulatedUserView } from './emulated-user-view.js';
export type { InjectedFault } from './fault-injector.js';
export type { FloodLimitOptions } from './flood-limiter.js';
export { contentKind, inlineButtons, summarize } from './message-summary.js';
export type { WebhookDeliveryOptions, WebhookStats } from './webhook-delivery.js';

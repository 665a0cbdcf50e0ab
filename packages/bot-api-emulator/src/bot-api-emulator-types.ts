import type { EmulatorLogger } from './emulator-logger.js';
import type { CallFilter, RecordedCall } from './call-recorder.js';
import type { BotMessageEvent } from './emulated-chat-store.js';
import type { EmulatedUser } from './emulated-user.js';
import type { InjectedFault } from './fault-injector.js';
import type { FloodLimitOptions } from './flood-limiter.js';
import type { ApiParams, ApiResponseBody, UserFromGetMe, WebhookInfo } from './telegram-types.js';
import type { WebhookDeliveryOptions, WebhookStats } from './webhook-delivery.js';

export interface BotApiEmulatorOptions {
  /** The bot token; its numeric prefix becomes the bot id. Default: a fixed test token. */
  token?: string;
  /** The bot's public identity, returned by getMe. */
  bot?: { firstName?: string; username?: string };
  /** Optional logger; the emulator logs method names, chat ids and counts, never content. */
  logger?: EmulatorLogger;
  /** Telegram's flood limits (429 with retry_after). Off by default; `true` for defaults. */
  floodLimit?: boolean | FloodLimitOptions;
  /** Webhook retry and timeout behaviour. */
  webhook?: WebhookDeliveryOptions;
  /** How many calls the recorder keeps (oldest dropped first). Default 50 000; 0 = none. */
  maxRecordedCalls?: number;
  /** Messages kept per chat; older ones are forgotten (as if deleted). Default 5000. */
  maxMessagesPerChat?: number;
  /** How long a callback query can still be answered. Default 15 000 ms. */
  callbackQueryTimeoutMs?: number;
  /** Clock in milliseconds (message dates, flood limits, query expiry). Default `Date.now`. */
  now?: () => number;
  /** The first update_id handed out. Default 100 000 001. */
  firstUpdateId?: number;
}

/** How a simulated user is created; unset fields are left out, as Telegram does. */
export interface SimulatedUserOptions {
  /** Default: the next free id from 1 000 000 001 up. */
  id?: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

/** The emulated Telegram Bot API server plus the simulated users around it. */
export interface BotApiEmulator {
  readonly token: string;
  /** The bot's getMe result: pass it as `new Bot(token, { botInfo })` to skip `bot.init()`. */
  readonly botInfo: UserFromGetMe;
  /** The URL to give grammY as `client.apiRoot`. Throws before `start()`. */
  readonly apiRoot: string;
  /** Starts listening (port 0 picks a free one); resolves with `apiRoot`. */
  start(port?: number, host?: string): Promise<string>;
  /** Ends pending long polls, stops webhook delivery and closes every connection. */
  stop(): Promise<void>;
  /** A new simulated user; their chat opens with their first message (usually `start()`). */
  createUser(options: SimulatedUserOptions): EmulatedUser;
  user(id: number): EmulatedUser | undefined;
  users(): EmulatedUser[];
  /** Recorded calls in arrival order, optionally filtered by method name or predicate. */
  calls(filter?: CallFilter): RecordedCall[];
  clearCalls(): void;
  /** Makes the next `times` calls of `method` ("*" for any) fail with this fault. */
  failNext(method: string, fault: InjectedFault, times?: number): void;
  clearFaults(): void;
  /** Fires for every message the bot sends or edits, in any chat. Returns the unsubscribe. */
  onBotMessage(listener: (event: BotMessageEvent) => void): () => void;
  /** Fires for every recorded API call. Returns the unsubscribe. */
  onApiCall(listener: (call: RecordedCall) => void): () => void;
  /** Performs a Bot API call in-process (no HTTP), e.g. for benchmarks of the emulator. */
  callApi(method: string, params?: ApiParams): Promise<ApiResponseBody>;
  /** Updates not yet confirmed by getUpdates or delivered to the webhook. */
  pendingUpdates(): number;
  /** Resolves once every update was confirmed or delivered; rejects after the timeout. */
  waitForUpdatesConsumed(timeoutMs?: number): Promise<void>;
  webhookInfo(): WebhookInfo;
  webhookStats(): WebhookStats;
}

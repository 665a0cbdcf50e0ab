import type { EmulatorLogger } from './emulator-logger.js';
import type { UpdateQueue } from './update-queue.js';
import { describeNetworkError, WebhookHttpClient } from './webhook-http-client.js';
import type { ApiParams, Update, WebhookInfo } from './telegram-types.js';

/** Retry and timeout behaviour of webhook delivery. */
export interface WebhookDeliveryOptions {
  /** First retry delay after a failed delivery; doubles per attempt. Default 100 ms. */
  initialRetryDelayMs?: number;
  /** Upper bound of the retry delay. Default 5000 ms. */
  maxRetryDelayMs?: number;
  /** How long one delivery may take before it counts as failed. Default 10 s. */
  requestTimeoutMs?: number;
  /** Attempts per update before it is dropped. Default: unlimited. */
  maxAttempts?: number;
}

/** Counters of webhook delivery since the emulator was created. */
export interface WebhookStats {
  /** Requests answered with 2xx. */
  deliveries: number;
  /** Failed attempts (non-2xx, network error or timeout); each is retried. */
  failures: number;
  /** Updates given up after `maxAttempts`. */
  dropped: number;
  /** Deliveries currently in flight. */
  inFlight: number;
}

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

type ReplyHandler = (method: string, params: ApiParams) => Promise<void>;

/**
 * Pushes updates to the webhook like Telegram: one update per POST, in order within a chat,
 * up to `max_connections` chats in parallel, retrying a failed update with backoff before
 * anything later from the same chat goes out.
 */
export class WebhookDelivery {
  private config: WebhookConfig | undefined;
  /** Concurrency is bounded by `pump()`, so the pool itself needs no socket limit. */
  private readonly client = new WebhookHttpClient();
  private readonly perChat = new Map<number, Update[]>();
  private readonly ready: number[] = [];
  private readonly busy = new Set<number>();
  private readonly attempts = new Map<number, number>();
  /** Retry timers, with the chat each one holds back. */
  private readonly backoff = new Map<NodeJS.Timeout, number>();
  private readonly controllers = new Set<AbortController>();
  private unsubscribe: (() => void) | undefined;
  private counters = { deliveries: 0, failures: 0, dropped: 0 };
  private lastError: { date: number; message: string } | undefined;

  constructor(
    private readonly queue: UpdateQueue,
    private readonly options: WebhookDeliveryOptions,
    private readonly onReply: ReplyHandler,
    private readonly log?: EmulatorLogger,
  ) {}

  get active(): boolean {
    return this.config !== undefined;
  }

  /** setWebhook. Switching from polling hands over the pending updates in order. */
  set(config: WebhookConfig): void {
    const wasActive = this.active;
    this.config = config;
    this.lastError = undefined;
    if (wasActive) return;
    for (const update of this.queue.snapshot()) this.enqueue(update);
    this.unsubscribe = this.queue.onPush((update) => this.enqueue(update));
    this.pump();
  }

  /** deleteWebhook: stops delivering; undelivered updates stay for getUpdates. */
  delete(): void {
    this.config = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.perChat.clear();
    this.ready.length = 0;
    this.attempts.clear();
    for (const [timer, chat] of this.backoff) {
      clearTimeout(timer);
      this.busy.delete(chat);
    }
    this.backoff.clear();
  }

  /** Stops everything, aborting deliveries in flight (emulator shutdown). */
  stop(): void {
    this.delete();
    for (const controller of this.controllers) controller.abort();
    this.client.destroy();
  }

  info(): WebhookInfo {
    const info: WebhookInfo = {
      url: this.config?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.size,
    };
    if (!this.config) return info;
    info.max_connections = this.config.maxConnections;
    const allowed = this.queue.allowedUpdates();
    if (allowed) info.allowed_updates = allowed as WebhookInfo['allowed_updates'];
    if (this.lastError) {
      info.last_error_date = this.lastError.date;
      info.last_error_message = this.lastError.message;
    }
    return info;
  }

  stats(): WebhookStats {
    return { ...this.counters, inFlight: this.controllers.size };
  }

  private enqueue(update: Update): void {
    const chat = chatOf(update);
    const queue = this.perChat.get(chat);
    if (queue) return void queue.push(update);
    this.perChat.set(chat, [update]);
    if (!this.busy.has(chat)) this.ready.push(chat);
    this.pump();
  }

  private pump(): void {
    while (this.config && this.ready.length > 0 && this.busy.size < this.config.maxConnections) {
      const chat = this.ready.shift()!;
      const update = this.perChat.get(chat)?.[0];
      if (!update || this.busy.has(chat)) continue;
      this.busy.add(chat);
      void this.deliver(this.config, chat, update);
    }
  }

  private async deliver(config: WebhookConfig, chat: number, update: Update): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.requestTimeoutMs ?? 10_000);
    let failure: string | undefined;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (config.secretToken) headers['x-telegram-bot-api-secret-token'] = config.secretToken;
      const response = await this.client.post(
        config.url,
        JSON.stringify(update),
        headers,
        controller.signal,
      );
      if (response.status >= 200 && response.status < 300) {
        await this.replyFrom(response.contentType, response.body);
      } else {
        failure = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      }
    } catch (error) {
      failure = describeNetworkError(error, controller.signal.aborted);
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }
    this.settle(config, chat, update, failure);
  }

  private settle(config: WebhookConfig, chat: number, update: Update, failure?: string): void {
    if (this.config !== config) {
      // The webhook was changed or removed meanwhile: a delivered update is still done, and
      // a failed one is retried under the new settings (or left for getUpdates).
      this.busy.delete(chat);
      const queue = this.perChat.get(chat);
      if (failure === undefined) {
        this.queue.acknowledge(update.update_id);
        if (queue?.[0]?.update_id === update.update_id) queue.shift();
      }
      if (queue?.length) this.ready.push(chat);
      this.pump();
      return;
    }
    if (failure === undefined) {
      this.counters.deliveries += 1;
      this.finish(chat, update);
      return;
    }
    this.counters.failures += 1;
    this.lastError = { date: Math.floor(Date.now() / 1000), message: failure };
    const attempt = (this.attempts.get(update.update_id) ?? 0) + 1;
    this.attempts.set(update.update_id, attempt);
    this.log?.warn(
      { updateId: update.update_id, chatId: chat, attempt },
      'emulator: webhook delivery failed',
    );
    if (attempt >= (this.options.maxAttempts ?? Infinity)) {
      this.counters.dropped += 1;
      this.finish(chat, update);
      return;
    }
    const initial = this.options.initialRetryDelayMs ?? 100;
    const delay = Math.min(initial * 2 ** (attempt - 1), this.options.maxRetryDelayMs ?? 5_000);
    const timer = setTimeout(() => {
      this.backoff.delete(timer);
      this.busy.delete(chat);
      this.ready.unshift(chat);
      this.pump();
    }, delay);
    this.backoff.set(timer, chat);
  }

  private finish(chat: number, update: Update): void {
    this.queue.acknowledge(update.update_id);
    this.attempts.delete(update.update_id);
    const queue = this.perChat.get(chat);
    queue?.shift();
    this.busy.delete(chat);
    if (queue && queue.length > 0) this.ready.push(chat);
    else this.perChat.delete(chat);
    this.pump();
  }

  /** A webhook response may carry one method call, which Telegram then performs. */
  private async replyFrom(contentType: string | undefined, body: string): Promise<void> {
    if (!contentType?.includes('application/json') || body.trim() === '') return;
    try {
      const parsed = JSON.parse(body) as ApiParams;
      if (typeof parsed.method === 'string') {
        const { method, ...params } = parsed;
        await this.onReply(method, params);
      }
    } catch {
      // Telegram ignores replies it cannot use.
    }
  }
}

function chatOf(update: Update): number {
  return (
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.callback_query?.from.id ??
    update.my_chat_member?.chat.id ??
    0
  );
}

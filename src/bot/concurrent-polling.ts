import { BotError, GrammyError, type Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.js';

export interface ConcurrentPollingOptions {
  /** Updates handled at once; each chat's updates still one after another. */
  concurrency: number;
  allowedUpdates: readonly string[];
  log: Logger;
  /** Records how long an update waited before its handler ran, and how long that took. */
  observe?: (stage: 'queued' | 'handling', ms: number) => void;
  /** Seconds one getUpdates call may wait for an update (Telegram's long-poll timeout). */
  timeoutSeconds?: number;
}

/** Whose updates must keep their order: the chat's, else the sender's, else none. */
function orderKeyOf(update: Update): string | undefined {
  const record = update as unknown as Record<
    string,
    { chat?: { id: number }; from?: { id: number } }
  >;
  for (const [kind, value] of Object.entries(record)) {
    if (kind === 'update_id' || typeof value !== 'object' || value === null) continue;
    const inner = value as { chat?: { id: number }; from?: { id: number }; message?: unknown };
    const chat = inner.chat ?? (inner.message as { chat?: { id: number } } | undefined)?.chat;
    if (chat) return `c${chat.id}`;
    if (inner.from) return `u${inner.from.id}`;
  }
  return undefined;
}

/** Telegram refusing the token or saying another poller runs: polling again will not help. */
const isFinal = (error: unknown) =>
  error instanceof GrammyError && (error.error_code === 401 || error.error_code === 409);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Long polling that handles updates of different chats at once. grammY's `bot.start` handles
 * one update at a time, so every press of every person queued behind the previous one and a
 * /find waited for strangers' onboarding and chat lines. Webhook mode is concurrent already
 * (Telegram delivers in parallel), so the handlers are safe to run side by side; only a chat's
 * own updates keep their order here, as a person expects their lines and presses taken in turn.
 * The next batch is fetched while handlers run, up to `concurrency × 4` updates pending.
 */
export function createConcurrentPolling<C extends Context>(
  bot: Bot<C>,
  options: ConcurrentPollingOptions,
) {
  const { log, concurrency } = options;
  const tails = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  const waiters: (() => void)[] = [];
  let running = 0;
  let stopped = false;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let offset = 0;

  async function slot(): Promise<void> {
    if (running < concurrency) {
      running += 1;
      return;
    }
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
  function release(): void {
    const next = waiters.shift();
    if (next) next();
    else running -= 1;
  }

  async function handle(update: Update, receivedAt: number): Promise<void> {
    await slot();
    const started = Date.now();
    options.observe?.('queued', started - receivedAt);
    try {
      await bot.handleUpdate(update);
    } catch (error) {
      if (error instanceof BotError) {
        await Promise.resolve(bot.errorHandler(error as BotError<C>)).catch(() => undefined);
      } else log.error({ err: error, updateId: update.update_id }, 'bot update failed');
    } finally {
      options.observe?.('handling', Date.now() - started);
      release();
    }
  }

  function schedule(update: Update): void {
    const receivedAt = Date.now();
    const key = orderKeyOf(update);
    const before = key ? tails.get(key) : undefined;
    const done: Promise<void> = (before ?? Promise.resolve()).then(() =>
      handle(update, receivedAt),
    );
    pending.add(done);
    if (key) tails.set(key, done);
    void done.finally(() => {
      pending.delete(done);
      if (key && tails.get(key) === done) tails.delete(key);
    });
  }

  async function poll(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      // Back-pressure: a slow database must not make the process hold every update in memory.
      while (pending.size >= concurrency * 4 && !stopped) await Promise.race(pending);
      if (stopped) break;
      abort = new AbortController();
      try {
        const updates = await bot.api.getUpdates(
          {
            offset,
            limit: 100,
            timeout: options.timeoutSeconds ?? 30,
            allowed_updates: options.allowedUpdates as never,
          },
          abort.signal as never,
        );
        failures = 0;
        for (const update of updates) {
          offset = update.update_id + 1;
          schedule(update);
        }
      } catch (error) {
        if (stopped) break;
        if (isFinal(error)) throw error;
        failures += 1;
        log.warn({ err: error, failures }, 'getUpdates failed; polling again');
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  return {
    /** Starts polling after removing any webhook; resolves once polling runs. */
    async start(): Promise<void> {
      await bot.init();
      await bot.api.deleteWebhook();
      stopped = false;
      loop = poll();
      loop.catch((error: unknown) => log.error({ err: error }, 'long polling stopped'));
    },
    /** Stops fetching and waits for the updates already taken to be handled. */
    async stop(): Promise<void> {
      stopped = true;
      abort?.abort();
      await loop?.catch(() => undefined);
      await Promise.allSettled([...pending]);
      // Confirms the updates handled, so a restart does not handle them again.
      if (offset) await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch(() => undefined);
    },
  };
}

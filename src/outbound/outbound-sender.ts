import { DelayedError, RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { GrammyError, HttpError, type Api } from 'grammy';
import type { Redis } from 'ioredis';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisKeys } from '../redis/keys.js';
import type { OutboundMessage } from './outbound-message.js';

export interface OutboundSenderDeps {
  api: Api;
  db: DatabasePool;
  redis: Redis;
  keys: RedisKeys;
  queue: Queue<OutboundMessage>;
  metrics: Metrics;
  log: Logger;
  /** Called when Telegram says the user blocked the bot (403). */
  onBlocked: (userId: number) => Promise<void>;
}

const delivered = z.object({ message_id: z.number().nullable() });

/** Telegram's answer when an edit would change nothing; the message already looks right. */
const NOT_MODIFIED = /message is not modified/i;
/** How long the link from a relayed copy back to its original is kept. */
const RELAY_ORIGIN_SECONDS = 30 * 86_400;
/**
 * Runs of a job waiting for the message it edits or replies to before giving up on it; the
 * wait grows by a second per run up to 10 s, about 75 s in all (the original may be in its
 * own retry backoff).
 */
const MAX_REF_WAITS = 12;

/**
 * The outbound queue's job handler: one Bot API call per job, exactly once per key as far as
 * PostgreSQL can tell. Honours 429 retry_after by pausing the whole queue, retries transient
 * failures with backoff, and gives up at once on what retrying cannot fix.
 */
export function createOutboundSender(deps: OutboundSenderDeps) {
  const { db, metrics, log } = deps;

  async function lookup(key: string): Promise<{ message_id: number | null } | null> {
    return db.maybeOne(sql.type(delivered)`
      SELECT message_id FROM delivered_messages WHERE key = ${key}`);
  }

  /** Waits (re-delays the job) for a message that has not gone out yet. */
  async function waitForRef(job: Job<OutboundMessage>, token?: string): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.min(job.attemptsStarted, 10) * 1_000, token);
    throw new DelayedError();
  }

  /**
   * Fills in message ids known only once earlier messages went out. Returns false when the
   * message is moot (the message to edit was never sent). attemptsStarted counts every run,
   * attemptsMade does not count re-delays, so it bounds the waiting.
   */
  async function resolveRefs(
    job: Job<OutboundMessage>,
    payload: Record<string, unknown>,
    token?: string,
  ): Promise<boolean> {
    const message = job.data;
    const waited = job.attemptsStarted > MAX_REF_WAITS;
    if (message.messageRef) {
      const original = await lookup(message.messageRef);
      if (!original) {
        if (waited) throw new UnrecoverableError('the message to edit was never sent');
        await waitForRef(job, token);
      }
      if (original?.message_id == null) return false;
      payload.message_id = original.message_id;
    }
    if (message.replyToRef) {
      const original = await lookup(message.replyToRef);
      if (!original && !waited) await waitForRef(job, token);
      if (original?.message_id != null) {
        payload.reply_parameters = {
          message_id: original.message_id,
          allow_sending_without_reply: true,
        };
      }
    }
    return true;
  }

  /** Maps a Bot API failure to what the queue should do with the job; always throws. */
  async function fail(message: OutboundMessage, error: unknown): Promise<'not_modified'> {
    const count = (outcome: string) =>
      metrics.telegramRequests.labels(message.method, outcome).inc();
    if (!(error instanceof GrammyError)) {
      count(error instanceof HttpError ? 'network' : 'error');
      throw error;
    }
    if (error.error_code === 429) {
      metrics.telegram429.inc();
      count('429');
      const retryAfter = (error.parameters.retry_after ?? 1) * 1000;
      log.warn({ method: message.method, retryAfterMs: retryAfter }, 'Bot API flood limit');
      await deps.queue.rateLimit(retryAfter);
      throw new RateLimitError();
    }
    if (error.error_code === 400 && NOT_MODIFIED.test(error.description)) {
      count('not_modified');
      return 'not_modified';
    }
    if (error.error_code === 403) {
      count('forbidden');
      if (message.userId !== undefined) await deps.onBlocked(message.userId);
      throw new UnrecoverableError(`Bot API 403: ${error.description}`);
    }
    if (error.error_code >= 400 && error.error_code < 500) {
      count('rejected');
      log.error(
        { method: message.method, code: error.error_code, description: error.description },
        'Bot API rejected a message',
      );
      throw new UnrecoverableError(`Bot API ${error.error_code}: ${error.description}`);
    }
    count('error');
    throw error;
  }

  return async (job: Job<OutboundMessage>, token?: string): Promise<number | null> => {
    const message = job.data;
    if (await lookup(message.key)) return null; // delivered before a replay
    const payload: Record<string, unknown> = { ...message.payload, chat_id: message.chatId };
    if (!(await resolveRefs(job, payload, token))) return null;
    let messageId: number | null = null;
    try {
      const raw = deps.api.raw as unknown as Record<string, (p: unknown) => Promise<unknown>>;
      const result = await raw[message.method]!(payload);
      messageId =
        typeof result === 'object' && result !== null && 'message_id' in result
          ? Number((result as { message_id: number }).message_id)
          : null;
      metrics.telegramRequests.labels(message.method, 'ok').inc();
    } catch (error) {
      await fail(message, error);
    }
    if (message.ephemeral) return messageId;
    await db.query(sql.unsafe`
      INSERT INTO delivered_messages (key, chat_id, message_id)
      VALUES (${message.key}, ${message.chatId}, ${messageId})
      ON CONFLICT (key) DO NOTHING`);
    if (message.copyOf && messageId !== null) {
      const origin = deps.keys.relayOrigin(message.chatId);
      await deps.redis
        .multi()
        .hset(origin, String(messageId), `${message.copyOf.chatId}:${message.copyOf.messageId}`)
        .expire(origin, RELAY_ORIGIN_SECONDS)
        .exec();
    }
    return messageId;
  };
}

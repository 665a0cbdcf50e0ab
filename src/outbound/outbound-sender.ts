import { DelayedError, RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { GrammyError, HttpError, type Api } from 'grammy';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OutboundMessage } from './outbound-message.js';

export interface OutboundSenderDeps {
  api: Api;
  db: DatabasePool;
  queue: Queue<OutboundMessage>;
  metrics: Metrics;
  log: Logger;
  /** Called when Telegram says the user blocked the bot (403). */
  onBlocked: (userId: number) => Promise<void>;
}

const delivered = z.object({ message_id: z.number().nullable() });

/** Telegram's answer when an edit would change nothing; the message already looks right. */
const NOT_MODIFIED = /message is not modified/i;

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

  return async (job: Job<OutboundMessage>, token?: string): Promise<number | null> => {
    const message = job.data;
    if (await lookup(message.key)) return null; // delivered before a replay
    const payload: Record<string, unknown> = { ...message.payload, chat_id: message.chatId };
    if (message.messageRef) {
      const original = await lookup(message.messageRef);
      if (!original) {
        // The message to edit has not gone out yet (it is queued behind a 429 or a retry).
        if (job.attemptsMade >= 5)
          throw new UnrecoverableError('the message to edit was never sent');
        await job.moveToDelayed(Date.now() + 2_000, token);
        throw new DelayedError();
      }
      if (original.message_id === null) return null;
      payload.message_id = original.message_id;
    }
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
      if (error instanceof GrammyError) {
        if (error.error_code === 429) {
          metrics.telegram429.inc();
          metrics.telegramRequests.labels(message.method, '429').inc();
          const retryAfter = (error.parameters.retry_after ?? 1) * 1000;
          log.warn({ method: message.method, retryAfterMs: retryAfter }, 'Bot API flood limit');
          await deps.queue.rateLimit(retryAfter);
          throw new RateLimitError();
        }
        if (error.error_code === 400 && NOT_MODIFIED.test(error.description)) {
          metrics.telegramRequests.labels(message.method, 'not_modified').inc();
        } else if (error.error_code === 403) {
          metrics.telegramRequests.labels(message.method, 'forbidden').inc();
          if (message.userId !== undefined) await deps.onBlocked(message.userId);
          throw new UnrecoverableError(`Bot API 403: ${error.description}`);
        } else if (error.error_code >= 400 && error.error_code < 500) {
          metrics.telegramRequests.labels(message.method, 'rejected').inc();
          log.error(
            { method: message.method, code: error.error_code, description: error.description },
            'Bot API rejected a message',
          );
          throw new UnrecoverableError(`Bot API ${error.error_code}: ${error.description}`);
        } else {
          metrics.telegramRequests.labels(message.method, 'error').inc();
          throw error;
        }
      } else {
        metrics.telegramRequests
          .labels(message.method, error instanceof HttpError ? 'network' : 'error')
          .inc();
        throw error;
      }
    }
    await db.query(sql.unsafe`
      INSERT INTO delivered_messages (key, chat_id, message_id)
      VALUES (${message.key}, ${message.chatId}, ${messageId})
      ON CONFLICT (key) DO NOTHING`);
    return messageId;
  };
}

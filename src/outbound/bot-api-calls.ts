import { RateLimitError, UnrecoverableError, type Queue } from 'bullmq';
import { GrammyError, HttpError, type Api } from 'grammy';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OutboundMessage, OutboundMethod, OutboundPayloads } from './outbound-message.js';

/** A queued message's parameters as sent: with the chat, and the references resolved. */
export type SentPayload<M extends OutboundMethod> = OutboundPayloads[M] & { chat_id: number };

type BotApiCalls = {
  [M in OutboundMethod]: (payload: SentPayload<M>) => Promise<unknown>;
};

/** The Bot API call behind each outbound method. */
export function createBotApiCalls(api: Api): BotApiCalls {
  return {
    sendMessage: (payload) => api.raw.sendMessage(payload),
    copyMessage: (payload) => api.raw.copyMessage(payload),
    editMessageText: (payload) => api.raw.editMessageText(payload),
    editMessageCaption: (payload) => api.raw.editMessageCaption(payload),
  };
}

/** The id of the message a call created, when it created one (an edit answers `true`). */
export function messageIdOf(result: unknown): number | null {
  return typeof result === 'object' && result !== null && 'message_id' in result
    ? Number(result.message_id)
    : null;
}

/** Telegram's answer when an edit would change nothing; the message already looks right. */
const NOT_MODIFIED = /message is not modified/i;

export interface FailureDeps {
  queue: Queue<OutboundMessage>;
  metrics: Metrics;
  log: Logger;
  onBlocked: (userId: number) => Promise<void>;
}

/**
 * Maps a Bot API failure to what the queue should do with the job: 429 pauses the whole
 * queue for retry_after, a 403 marks the user as having blocked the bot, other 4xx give up
 * at once. Resolves only for an edit that changed nothing; otherwise throws.
 */
export async function handleFailure(
  deps: FailureDeps,
  message: OutboundMessage,
  error: unknown,
): Promise<'not_modified'> {
  const count = (outcome: string) =>
    deps.metrics.telegramRequests.labels(message.method, outcome).inc();
  if (!(error instanceof GrammyError)) {
    count(error instanceof HttpError ? 'network' : 'error');
    throw error;
  }
  if (error.error_code === 429) {
    deps.metrics.telegram429.inc();
    count('429');
    const retryAfter = (error.parameters.retry_after ?? 1) * 1000;
    deps.log.warn({ method: message.method, retryAfterMs: retryAfter }, 'Bot API flood limit');
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
    deps.log.error(
      { method: message.method, code: error.error_code, description: error.description },
      'Bot API rejected a message',
    );
    throw new UnrecoverableError(`Bot API ${error.error_code}: ${error.description}`);
  }
  count('error');
  throw error;
}

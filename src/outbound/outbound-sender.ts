import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Api } from 'grammy';
import type { ReplyParameters } from 'grammy/types';
import type { RedisClient } from '../redis/client.js';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisKeys } from '../redis/keys.js';
import type { OutboundMessage, OutboundMethod, OutboundPayloads } from './outbound-message.js';
import { createChatOrder } from './chat-order.js';
import type { PaidBroadcast } from './paid-broadcast.js';
import {
  createBotApiCalls,
  handleFailure,
  messageIdOf,
  type SentPayload,
} from './bot-api-calls.js';

export interface OutboundSenderDeps {
  api: Api;
  db: DatabasePool;
  redis: RedisClient;
  keys: RedisKeys;
  queue: Queue<OutboundMessage>;
  metrics: Metrics;
  log: Logger;
  /** Called when Telegram says the user blocked the bot (403). */
  onBlocked: (userId: number) => Promise<void>;
  /** Paid broadcasts beyond the free rate, when the operator turned them on. */
  paid?: PaidBroadcast;
  /** Whether a search still looks for a partner (for `onlyWhileSearching`). */
  isSearchOpen?: (searchId: string) => Promise<boolean>;
}

const delivered = z.object({ message_id: z.number().nullable() });

/** Message ids of earlier messages that this one edits or answers, filled in when it goes. */
interface Refs {
  message_id?: number;
  reply_parameters?: ReplyParameters;
}
/** How long the link from a relayed copy back to its original is kept. */
const RELAY_ORIGIN_SECONDS = 30 * 86_400;
/**
 * How long a job waits for the message it edits or replies to before giving up on it (the
 * original may be in its own retry backoff). Measured in time, not runs: a job also re-delays
 * while it waits its turn in the chat.
 */
const MAX_REF_WAIT_MS = 75_000;
/** How long a message waits for an earlier one to the same chat (see chat-order.ts). */
const MAX_ORDER_WAIT_MS = 5_000;
/** How long a job waits in place for the chat's previous message before re-queueing. */
const TURN_WAIT_IN_PLACE_MS = 300;
/** How long a job waits before it runs again: a share of how long it has waited, bounded. */
const WAIT_BACKOFF = {
  ref: { minMs: 1_000, maxMs: 10_000, shareOfWaited: 1 / 5 },
  turn: { minMs: 50, maxMs: 1_000, shareOfWaited: 1 / 4 },
} as const;
/**
 * What one run of a job came to. Each run takes a slot of the sender's rate limiter, so runs
 * that made no Bot API call are budget Telegram would have allowed and nobody used.
 */
type RunOutcome = 'called' | 'waited' | 'moot' | 'replayed' | 'failed';
/** When a job was meant to run: queued time plus its pacing delay. */
const dueAt = (job: Job<OutboundMessage>) => job.timestamp + (job.opts.delay ?? 0);

/** Re-delays the job by `ms`; DelayedError tells BullMQ this is not a failed attempt. */
async function later(job: Job<OutboundMessage>, ms: number, token?: string): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/**
 * Puts the job back to wait, longer the longer it has waited already: for the message it
 * edits or answers (`ref`, which may be in its own retry backoff), or for the chat's previous
 * message (`turn`, usually a moment away). Every wait runs the job again and takes a token of
 * the worker's rate limiter, so a fixed short poll let a few stuck chats eat the budget
 * every other chat needed.
 */
function waitAgain(
  metrics: Metrics,
  job: Job<OutboundMessage>,
  reason: keyof typeof WAIT_BACKOFF,
  token?: string,
): Promise<never> {
  metrics.outboundWaits.labels(reason).inc();
  const { minMs, maxMs, shareOfWaited } = WAIT_BACKOFF[reason];
  const waited = Date.now() - dueAt(job);
  return later(job, Math.min(maxMs, Math.max(minMs, waited * shareOfWaited)), token);
}

/**
 * The outbound queue's job handler: one Bot API call per job, exactly once per key as far as
 * PostgreSQL can tell. Honours 429 retry_after by pausing the whole queue, retries transient
 * failures with backoff, and gives up at once on what retrying cannot fix.
 */
export function createOutboundSender(deps: OutboundSenderDeps) {
  const { db, metrics, log } = deps;
  const order = createChatOrder({
    redis: deps.redis,
    keys: deps.keys,
    maxWaitMs: MAX_ORDER_WAIT_MS,
  });
  const calls = createBotApiCalls(deps.api);
  const failure = { queue: deps.queue, metrics, log, onBlocked: deps.onBlocked };
  // Where a message's time went (see outbound_stage_ms), to find what delays a proposal.
  const stage = (message: OutboundMessage, name: string, ms: number) =>
    metrics.outboundStageMs.labels(name, message.lane ?? 'notice').observe(Math.max(0, ms));

  async function lookup(key: string): Promise<{ message_id: number | null } | null> {
    return db.maybeOne(sql.type(delivered)`
      SELECT message_id FROM delivered_messages WHERE key = ${key}`);
  }

  /** Fills in message ids known only once earlier messages went out; null when moot. */
  async function resolveRefs(job: Job<OutboundMessage>, token?: string): Promise<Refs | null> {
    const message = job.data;
    const refs: Refs = {};
    const waited = Date.now() - dueAt(job) > MAX_REF_WAIT_MS;
    if (message.messageRef) {
      const original = await lookup(message.messageRef);
      if (!original) {
        if (waited) throw new UnrecoverableError('the message to edit was never sent');
        await waitAgain(metrics, job, 'ref', token);
      }
      if (original?.message_id == null) return null;
      refs.message_id = original.message_id;
    }
    if (message.replyToRef) {
      const original = await lookup(message.replyToRef);
      if (!original && !waited) await waitAgain(metrics, job, 'ref', token);
      if (original?.message_id != null) {
        refs.reply_parameters = {
          message_id: original.message_id,
          allow_sending_without_reply: true,
        };
      }
    }
    return refs;
  }

  function call<M extends OutboundMethod>(
    method: M,
    payload: OutboundPayloads[M],
    chatId: number,
    refs: Refs,
    paid: boolean,
  ): Promise<unknown> {
    // Only a send past the free budget carries the flag: Telegram charges for each one.
    const sent: SentPayload<M> = {
      ...payload,
      ...refs,
      chat_id: chatId,
      ...(paid ? { allow_paid_broadcast: true } : {}),
    };
    return calls[method](sent);
  }

  /** Records the delivery, and for a relayed copy where its original is. */
  async function remember(message: OutboundMessage, messageId: number | null): Promise<void> {
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
  }

  /** Sends one job's message; resolves with the new message id, if any. */
  async function send(
    job: Job<OutboundMessage>,
    run: { outcome: RunOutcome },
    token?: string,
  ): Promise<number | null> {
    const message = job.data;
    run.outcome = 'replayed';
    if (await lookup(message.key)) return null; // delivered before a replay
    run.outcome = 'moot';
    if (message.onlyWhileSearching && deps.isSearchOpen) {
      if (!(await deps.isSearchOpen(message.onlyWhileSearching))) return null;
    }
    const refs = await resolveRefs(job, token);
    if (!refs) return null;
    const decision = deps.paid ? await deps.paid.decideInPlace(message.method) : 'free';
    if (decision === 'wait') {
      metrics.outboundWaits.labels('budget').inc();
      await later(job, deps.paid!.waitMs(), token);
    }
    const paid = decision === 'paid';
    let messageId: number | null = null;
    run.outcome = 'called';
    try {
      const callStart = Date.now();
      messageId = messageIdOf(
        await call(message.method, message.payload, message.chatId, refs, paid),
      );
      stage(message, 'call', Date.now() - callStart);
      metrics.telegramRequests.labels(message.method, 'ok').inc();
      if (paid) metrics.telegramPaidMessages.inc();
      metrics.telegramMessages.labels(message.purpose ?? 'reply').inc();
      if (message.requestedAt !== undefined) {
        metrics.findToProposalDelivered.observe(Math.max(0, Date.now() - message.requestedAt));
      }
    } catch (error) {
      await handleFailure(failure, message, error);
    }
    if (!message.ephemeral) await remember(message, messageId);
    return messageId;
  }

  return async (job: Job<OutboundMessage>, token?: string): Promise<number | null> => {
    const message = job.data;
    const runStart = Date.now();
    const run: { outcome: RunOutcome } = { outcome: 'waited' };
    try {
      if (!(await order.awaitTurn(message, dueAt(job), TURN_WAIT_IN_PLACE_MS))) {
        await waitAgain(metrics, job, 'turn', token);
      }
      stage(message, 'pacing', job.opts.delay ?? 0);
      stage(message, 'queue', runStart - dueAt(job));
      stage(message, 'turn', Date.now() - runStart);
      const messageId = await send(job, run, token);
      await order.markDone(message);
      return messageId;
    } catch (error) {
      if (error instanceof DelayedError) run.outcome = 'waited';
      else if (run.outcome !== 'called') run.outcome = 'failed'; // before any call was made
      // Given up for good: the chat's next message need not wait for it any longer.
      if (error instanceof UnrecoverableError) await order.markDone(message);
      throw error;
    } finally {
      metrics.outboundRuns.labels(run.outcome).inc();
    }
  };
}

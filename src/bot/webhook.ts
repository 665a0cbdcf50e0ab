import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from '@koa/router';
import { BotError, type Bot } from 'grammy';
import type { RedisClient } from '../redis/client.js';
import { AppError, isUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis/keys.js';
import { jsonBody } from '../api/middlewares/json-body.js';
import { createRouter, guard } from '../api/route-access.js';
import type { BotContext } from './context.js';
import { checkUpdate } from './update-shape.js';
import { createUpdateLedger } from './update-ledger.js';

export interface WebhookDeps {
  bot: Bot<BotContext>;
  secret: string;
  redis: RedisClient;
  keys: RedisKeys;
  log: Logger;
  /** How long an update being handled stays reserved for this process without renewal. */
  leaseMs: number;
}

const BODY_LIMIT_BYTES = 1024 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** grammY wraps what a middleware threw in a BotError that also holds the whole context. */
const unwrap = (error: unknown) => (error instanceof BotError ? error.error : error);

/**
 * POST /telegram/webhook. Checks the secret Telegram echoes in
 * X-Telegram-Bot-Api-Secret-Token and hands each update to the bot at least once and, as far
 * as this process can tell, once: an update is marked done only after it was handled, so one
 * in flight when a process dies is handled when Telegram retries it. Answers:
 * - 200 once handled, for a duplicate, and for an update that can never be handled (a body
 *   Telegram could not have sent, or a fault of the code), which is logged once instead of
 *   being retried for a day;
 * - 503 with Retry-After while a dependency is down or another process holds the update, so
 *   Telegram retries it later.
 */
export function createWebhookRouter(deps: WebhookDeps): Router {
  const router = createRouter();
  const expected = digest(deps.secret);
  const { log } = deps;
  const ledger = createUpdateLedger({
    redis: deps.redis,
    keys: deps.keys,
    leaseMs: deps.leaseMs,
    onLeaseLost: (updateId) => log.warn({ updateId }, 'update lease ran out while handling it'),
  });
  router.post(
    '/telegram/webhook',
    guard('webhook-secret', async (ctx, next) => {
      const presented = ctx.get('x-telegram-bot-api-secret-token');
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        throw new AppError('unauthorized', 'wrong or missing X-Telegram-Bot-Api-Secret-Token');
      }
      await next();
    }),
    jsonBody(BODY_LIMIT_BYTES),
    async (ctx) => {
      ctx.body = { ok: true };
      const checked = checkUpdate(ctx.request.body);
      if (!checked.ok) {
        const { updateId, problem } = checked;
        if (updateId === undefined || (await ledger.markDone(updateId))) {
          log.warn({ updateId, problem }, 'impossible update ignored');
        }
        return;
      }
      const updateId = checked.update.update_id;
      let outcome;
      try {
        outcome = await ledger.run(
          updateId,
          () => deps.bot.handleUpdate(checked.update),
          (error) => !isUnavailable(unwrap(error)),
        );
      } catch (error) {
        const cause = unwrap(error);
        if (isUnavailable(cause)) {
          throw new AppError('unavailable', `update ${updateId} can be handled later`, undefined, {
            cause,
          });
        }
        log.error({ err: cause, updateId }, 'update failed; it will not be retried');
        return;
      }
      if (outcome === 'in_flight') {
        throw new AppError('unavailable', `update ${updateId} is being handled elsewhere`);
      }
      if (outcome === 'duplicate') log.debug({ updateId }, 'duplicate update ignored');
    },
  );
  return router;
}

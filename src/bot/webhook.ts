import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from '@koa/router';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis/keys.js';
import { jsonBody } from '../api/middlewares/json-body.js';
import { createRouter, guard } from '../api/route-access.js';
import type { BotContext } from './context.js';

export interface WebhookDeps {
  bot: Bot<BotContext>;
  secret: string;
  redis: Redis;
  keys: RedisKeys;
  log: Logger;
}

/** Telegram retries an unanswered update for about a day; remember ids that long. */
const DEDUP_SECONDS = 86_400;
const BODY_LIMIT_BYTES = 1024 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * POST /telegram/webhook. Checks the secret Telegram echoes in
 * X-Telegram-Bot-Api-Secret-Token, ignores an update_id seen before, and hands the update to
 * the bot. Handlers only write to PostgreSQL and queue messages, so the answer comes well
 * within grammY's and Telegram's timeouts.
 */
export function createWebhookRouter(deps: WebhookDeps): Router {
  const router = createRouter();
  const expected = digest(deps.secret);
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
      const update = ctx.request.body as Update;
      if (typeof update?.update_id !== 'number') {
        throw new AppError('bad_request', 'update_id: expected a number');
      }
      const key = deps.keys.telegramUpdate(update.update_id);
      const fresh = await deps.redis.set(key, '1', 'EX', DEDUP_SECONDS, 'NX');
      if (fresh) {
        try {
          await deps.bot.handleUpdate(update);
        } catch (error) {
          // Forget the id so Telegram's retry is processed instead of dropped.
          await deps.redis.del(key);
          throw error;
        }
      } else {
        deps.log.debug({ updateId: update.update_id }, 'duplicate update ignored');
      }
      ctx.body = { ok: true };
    },
  );
  return router;
}

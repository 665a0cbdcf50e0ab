import type { Context, Middleware } from 'koa';
import { AppError, outageCause } from '../../errors.js';
import type { Logger } from '../../logger.js';

const STATUS_CODES: Record<number, string> = { 405: 'method_not_allowed', 501: 'not_implemented' };

/** What a 503 tells the caller (and Telegram): a dependency should be back this soon. */
export const RETRY_AFTER_SECONDS = 5;

function unavailable(ctx: Context, message: string): void {
  ctx.status = 503;
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  ctx.body = { error: { code: 'unavailable', message } };
}

/**
 * Turns every error into `{error: {code, message}}`. AppErrors keep their status; an outage
 * of PostgreSQL or Redis (or anything else that retrying later may fix) is a 503 with
 * Retry-After, logged with its cause; anything else is a 500 whose details go to the log,
 * not to the caller.
 */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) {
        throw new AppError('not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
      // The router's own answers (405 with an Allow header, 501) come without a body; Koa
      // would send its plain-text status line.
      if (ctx.status >= 400 && ctx.body == null) {
        const code = STATUS_CODES[ctx.status] ?? (ctx.status >= 500 ? 'internal' : 'bad_request');
        ctx.body = { error: { code, message: `${ctx.method} ${ctx.path}: ${ctx.message}` } };
      }
    } catch (error) {
      const route = ctx.path;
      if (error instanceof AppError) {
        if (error.code === 'unavailable') {
          // A refusal by design (a full queue) has no cause; an outage carries it.
          if (error.cause !== undefined) {
            log.warn({ err: error, route, cause: outageCause(error.cause) }, 'request deferred');
          }
          return unavailable(ctx, error.message);
        }
        ctx.status = error.status;
        ctx.body = { error: { code: error.code, message: error.message, ...error.details } };
        return;
      }
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: { code: 'bad_request', message: (error as Error).message } };
        return;
      }
      const cause = outageCause(error);
      if (cause) {
        log.warn({ err: error, route, cause }, 'request deferred: a dependency is unavailable');
        return unavailable(ctx, `a dependency is unavailable (${cause}); retry shortly`);
      }
      log.error({ err: error, route }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: 'internal error' } };
    }
  };
}

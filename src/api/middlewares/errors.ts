import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

const STATUS_CODES: Record<number, string> = { 405: 'method_not_allowed', 501: 'not_implemented' };

/**
 * Turns every error into `{error: {code, message}}`. AppErrors keep their status; anything
 * else is a 500 whose details go to the log, not to the caller.
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
      if (error instanceof AppError) {
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
      log.error({ err: error, route: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: 'internal error' } };
    }
  };
}

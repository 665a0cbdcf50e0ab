import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * Turns every error into `{error: {code, message}}`. AppErrors keep their status; anything
 * else is a 500 whose details go to the log, not to the caller.
 */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('not_found', `no route for ${ctx.method} ${ctx.path}`);
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

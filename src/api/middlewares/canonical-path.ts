import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';

/**
 * Spellings that a proxy, a router or a future route parameter may resolve to another path:
 * empty or dot segments (plain or percent-encoded), encoded slashes and backslashes, a
 * backslash, and `;` path parameters.
 */
const AMBIGUOUS = /\/\/|\/(\.|%2e){1,2}(\/|$)|%2f|%5c|\\|;/i;

/**
 * Refuses a request whose path is not spelled canonically, before any routing: such a path
 * names no route here, and whoever sent it is probing for one that something in between
 * would read differently.
 */
export function canonicalPath(): Middleware {
  return async (ctx, next) => {
    if (AMBIGUOUS.test(ctx.path)) {
      throw new AppError('bad_request', 'the path is not in canonical form');
    }
    await next();
  };
}

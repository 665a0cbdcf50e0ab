import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import { guard } from '../route-access.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Requires `Authorization: Bearer <token>`. Compared in constant time; with no token
 * configured every call is refused, so an unset secret never means "open".
 */
export function bearerAuth(token: string | undefined): Middleware {
  const expected = token === undefined ? undefined : digest(token);
  return guard('internal-token', async (ctx, next) => {
    const header = ctx.get('authorization');
    const presented = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!expected) {
      throw new AppError(
        'unauthorized',
        'the internal API is disabled: INTERNAL_API_TOKEN is not set',
      );
    }
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      throw new AppError('unauthorized', 'missing or wrong bearer token');
    }
    await next();
  });
}

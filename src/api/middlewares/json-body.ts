import type { Context, Next } from 'koa';
import type { z } from 'zod';
import { AppError } from '../../errors.js';

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}

/**
 * Reads a JSON body of at most `limitBytes`. Rejects wrong content types (415), oversized
 * bodies (413) and malformed JSON (400) before any handler runs, so nothing is written.
 */
export function jsonBody(limitBytes: number) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!ctx.is('application/json')) {
      throw new AppError('unsupported_media_type', 'expected Content-Type: application/json');
    }
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) {
      throw new AppError('payload_too_large', `body is larger than ${limitBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        throw new AppError('payload_too_large', `body is larger than ${limitBytes} bytes`);
      }
      chunks.push(chunk);
    }
    try {
      ctx.request.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new AppError('bad_request', 'body is not valid JSON');
    }
    await next();
  };
}

/**
 * Validates an already-parsed body against a zod schema.
 * @throws AppError bad_request naming the first offending field.
 */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data as z.output<T>;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new AppError('bad_request', `${where}: ${issue?.message ?? 'invalid'}`);
}

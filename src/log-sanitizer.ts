import { AppError, causesOf, isUnavailable } from './errors.js';

/**
 * Field names whose values are secrets or personal data, compared in lower case without
 * underscores. They are censored at any depth, so a careless `log.info({ update })` cannot
 * leak a message text, a username or a token.
 */
const CENSORED_KEYS = new Set([
  'text',
  'caption',
  'username',
  'firstname',
  'lastname',
  'phonenumber',
  'vcard',
  'email',
  'bio',
  'title',
  'query',
  'cookie',
  'authorization',
]);
/** Any key containing one of these: `botToken`, `INTERNAL_API_TOKEN`, `redisPassword`. */
const CENSORED_PARTS = ['token', 'password', 'secret', 'apikey'];

export const CENSOR = '[redacted]';

const MAX_DEPTH = 6;
const MAX_ITEMS = 50;
const MAX_STRING = 2_000;
const MAX_STACK_FRAMES = 10;

function isCensored(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[_-]/g, '');
  return CENSORED_KEYS.has(normalized) || CENSORED_PARTS.some((part) => normalized.includes(part));
}

const clip = (value: string) =>
  value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)` : value;

export interface SerializedError {
  type: string;
  message: string;
  [field: string]: unknown;
}

/** Scalar fields of well-known errors that help an operator and hold no payload. */
const ERROR_FIELDS = [
  'code',
  'status',
  'statusCode',
  'syscall',
  'address',
  'port',
  'error_code',
  'description',
  'method',
] as const;

/**
 * An error as type, message, code and cause chain. Never the error's other properties:
 * grammY's BotError holds the whole context (the API client with the bot token, the update
 * with the user's text), slonik's errors hold query values, ioredis' hold client options.
 * The stack is kept for faults of the code, where it is what the reader needs, and left out
 * of outages and expected refusals, where it is noise.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: clip(String(error)) };
  }
  const out: SerializedError = { type: error.name || error.constructor.name, message: '' };
  out.message = clip(typeof error.message === 'string' ? error.message : String(error.message));
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string') out[field] = clip(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[field] = value;
  }
  // Of a failed Redis command only its name: its arguments may be user data.
  const command = (error as { command?: { name?: unknown } }).command;
  if (command && typeof command.name === 'string') out.command = command.name;
  const causes = causesOf(error);
  if (depth < 4 && causes.length) {
    const [first, ...rest] = causes.map((cause) => serializeError(cause, depth + 1));
    out.cause = first;
    if (rest.length) out.causes = rest;
  }
  const expected = error instanceof AppError && error.status < 500;
  if (!expected && !isUnavailable(error) && typeof error.stack === 'string') {
    out.stack = error.stack
      .split('\n')
      .slice(0, MAX_STACK_FRAMES + 1)
      .join('\n');
  }
  return out;
}

/**
 * A copy of `value` that is safe to log: errors serialized, censored keys replaced at any
 * depth, and objects that are not plain data (clients, pools, contexts, sockets) reduced to
 * their class name instead of being walked.
 */
export function sanitizeForLog(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? clip(value) : value;
  }
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => sanitizeForLog(item, depth + 1, seen));
    if (value.length > MAX_ITEMS) items.push(`…(${value.length} items)`);
    return items;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    return `[${(value as { constructor?: { name?: string } }).constructor?.name ?? 'object'}]`;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isCensored(key) ? CENSOR : sanitizeForLog(item, depth + 1, seen);
  }
  return out;
}

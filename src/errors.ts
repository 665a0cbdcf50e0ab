/**
 * One error family for the whole service. The code decides the HTTP status and the bot's
 * reply; the message is safe to show to the caller (it never carries secrets or user text).
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  busy: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  profile_incomplete: 422,
  suspended: 403,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
  paused: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Errors wrap their cause in different places: `cause` (ES2022, slonik), `error` (grammY's
 * BotError and HttpError) and `errors` (AggregateError, as Node reports a connection that
 * failed on every address of a host).
 */
export function causesOf(error: unknown): unknown[] {
  if (typeof error !== 'object' || error === null) return [];
  const found: unknown[] = [];
  const {
    cause,
    error: wrapped,
    errors,
  } = error as {
    cause?: unknown;
    error?: unknown;
    errors?: unknown;
  };
  if (cause !== undefined) found.push(cause);
  if (wrapped instanceof Error) found.push(wrapped);
  if (Array.isArray(errors)) found.push(...(errors as unknown[]).slice(0, 4));
  return found;
}

/** The error and its causes, outermost first, each once (cause chains can loop). */
export function errorChain(error: unknown, limit = 8): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length && chain.length < limit) {
    const next = queue.shift();
    if (next === undefined || chain.includes(next)) continue;
    chain.push(next);
    queue.push(...causesOf(next));
  }
  return chain;
}

/** What an outage looks like at each layer, as a phrase fit for a log line or a probe. */
const SYSTEM_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ECONNABORTED: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  EADDRNOTAVAIL: 'host unreachable',
};

/** PostgreSQL SQLSTATEs (and their classes) that mean "cannot serve now", not "wrong query". */
const POSTGRES_CAUSES: [RegExp, string][] = [
  [/^08/, 'connection failed'],
  [/^57P0[1-3]$/, 'shutting down or starting up'],
  [/^53300$/, 'too many connections'],
  [/^53/, 'out of resources'],
  [/^57014$/, 'statement timed out'],
  [/^40P01$/, 'deadlock'],
];

/** Messages (Redis replies, node-postgres and ioredis errors) that mean "cannot serve now". */
const MESSAGE_CAUSES: [RegExp, string][] = [
  [/^Connection terminated/, 'connection terminated'],
  [/is not queryable/, 'connection failed'],
  [/^timeout exceeded when trying to connect/, 'timed out'],
  [/^OOM /, 'out of memory (maxmemory reached)'],
  [/^LOADING /, 'loading its data'],
  [/^BUSY /, 'busy running a script'],
  [/^(READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN) /, 'not accepting writes'],
  [/^Connection is closed\.$/, 'connection closed'],
  [/^Stream isn't writeable/, 'connection closed'],
  [/^Reached the max retries per request limit/, 'not answering'],
];

const NAMED_CAUSES: Record<string, string> = {
  ConnectionError: 'connection failed',
  BackendTerminatedError: 'connection terminated',
  BackendTerminatedUnexpectedlyError: 'connection terminated',
  StatementTimeoutError: 'statement timed out',
  MaxRetriesPerRequestError: 'not answering',
  HttpError: 'network error',
  TimeoutError: 'timed out',
};

function ownCause(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, error_code: apiCode } = error as { code?: unknown; error_code?: unknown };
  if (typeof code === 'string') {
    const system = SYSTEM_CAUSES[code];
    if (system) return system;
    const postgres = /^[0-9A-Z]{5}$/.test(code)
      ? POSTGRES_CAUSES.find(([pattern]) => pattern.test(code))
      : undefined;
    if (postgres) return postgres[1];
  }
  // grammY's GrammyError: Telegram itself failing or asking us to slow down.
  if (typeof apiCode === 'number' && (apiCode >= 500 || apiCode === 429)) {
    return `Bot API error ${apiCode}`;
  }
  const known = MESSAGE_CAUSES.find(([pattern]) => pattern.test(error.message));
  if (known) return known[1];
  if (error.name === 'AbortError' && /timed? ?out/i.test(error.message)) return 'timed out';
  return NAMED_CAUSES[error.name];
}

/**
 * Why a dependency could not serve, as a short phrase without addresses ("connection
 * refused", "out of memory (maxmemory reached)"), or undefined when the error is not an
 * outage but a fault of the request or of the code.
 */
export function outageCause(error: unknown): string | undefined {
  if (error instanceof AppError) return error.code === 'unavailable' ? error.message : undefined;
  for (const link of errorChain(error)) {
    const cause = link instanceof AppError ? undefined : ownCause(link);
    if (cause) return cause;
  }
  return undefined;
}

/** True when retrying later may succeed: a dependency is down, overloaded or starting. */
export function isUnavailable(error: unknown): boolean {
  return outageCause(error) !== undefined;
}

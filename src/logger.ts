import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { sanitizeForLog } from './log-sanitizer.js';
import { createSecretRedactor } from './secret-redactor.js';

export type { Logger };

export interface LoggerOptions {
  /** Values to blank out of every line wherever they appear (see `secretsOf`). */
  secrets?: readonly string[];
}

/**
 * The service's logger: JSON lines in which errors are type, message, code and cause chain,
 * secret and personal fields are censored at any depth, clients and contexts appear only by
 * class name, and the configured secrets are blanked out by value as a last guard.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const redact = createSecretRedactor(options.secrets ?? []);
  const sanitize = (object: Record<string, unknown>) =>
    sanitizeForLog(object) as Record<string, unknown>;
  return pino(
    {
      level,
      base: { service: 'tete' },
      // The sanitizer already serialized errors; pino's own serializer would redo it.
      serializers: { err: (value: unknown) => value },
      formatters: { log: sanitize, bindings: sanitize },
      hooks: { streamWrite: redact },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The configured secrets: the bot token (and its secret half alone), the internal API token,
 * the webhook secret, and the PostgreSQL and Redis passwords.
 */
export function secretsOf(
  config: Pick<
    Config,
    'BOT_TOKEN' | 'INTERNAL_API_TOKEN' | 'WEBHOOK_SECRET' | 'DATABASE_URL' | 'REDIS_URL'
  >,
): string[] {
  const values = [
    config.BOT_TOKEN,
    config.BOT_TOKEN?.split(':')[1],
    config.INTERNAL_API_TOKEN,
    config.WEBHOOK_SECRET,
    passwordOf(config.DATABASE_URL),
    passwordOf(config.REDIS_URL),
  ];
  return values.filter((value): value is string => Boolean(value));
}

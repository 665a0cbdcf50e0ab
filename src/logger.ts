import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Field names that may carry secrets or personal data. They are censored wherever they
 * appear at the top level or one level down, so a careless `log.info({ update })` cannot
 * leak a message text, a username or a token.
 */
const REDACTED = [
  'token',
  'password',
  'secret',
  'authorization',
  'text',
  'caption',
  'username',
  'first_name',
  'last_name',
  'firstName',
  'reason',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tete' },
      redact: {
        paths: [...REDACTED, ...REDACTED.map((key) => `*.${key}`)],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

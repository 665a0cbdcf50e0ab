import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from '../src/config.js';
import { createLogger, secretsOf, type Logger } from '../src/logger.js';
import type { SandboxConsole } from './sandbox-console.js';

const WARN = 40;

/** One console line for a warning or an error record: its message and its error's. */
function humanLine(record: string): string | undefined {
  const level = Number(/"level":(\d+)/.exec(record)?.[1] ?? 0);
  if (level < WARN) return undefined;
  const parsed = JSON.parse(record) as { msg?: string; err?: { message?: string } };
  const cause = parsed.err?.message ? `: ${parsed.err.message}` : '';
  return `${level > WARN ? 'error' : 'warning'}: ${parsed.msg ?? ''}${cause}`;
}

export interface SandboxLog {
  log: Logger;
  /** Where the records go when they are not on the console. */
  file?: string;
}

/**
 * The sandbox's logger. On a terminal every record goes to a file (at LOG_LEVEL) and
 * warnings and errors also appear on the console as one human line each; off a terminal the
 * records go to stdout as JSON, warnings and up unless LOG_LEVEL asks for less or more.
 */
export function createSandboxLog(
  config: Config,
  console: SandboxConsole,
  name: string,
): SandboxLog {
  if (!console.isTTY) {
    return {
      log: createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, undefined, {
        secrets: secretsOf(config),
      }),
    };
  }
  const file = join(tmpdir(), `tete-sandbox-${name}.log`);
  // Appended, never truncated: a second sandbox that is refused must not wipe the first one's log.
  const sink = pino.destination({ dest: file, sync: true, append: true });
  const destination = {
    write(record: string): void {
      sink.write(record);
      const line = humanLine(record);
      if (line) console.line(`${line} (details in ${file})`);
    },
  };
  return {
    log: createLogger(config.LOG_LEVEL, destination, { secrets: secretsOf(config) }),
    file,
  };
}

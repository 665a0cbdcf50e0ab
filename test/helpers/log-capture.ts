import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export interface LogCapture {
  log: Logger;
  /** Every line written so far, exactly as it would reach stdout. */
  text(): string;
  /** The lines parsed, for assertions on fields. */
  records(): Record<string, unknown>[];
  /** Resolves once a record matches; rejects after `timeoutMs` with what was logged. */
  waitFor(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
}

/** A real service logger (same redaction as production) that writes into memory. */
export function captureLogs(level: string, secrets: readonly string[] = []): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    log: createLogger(level, stream, { secrets }),
    text: () => lines.join('\n'),
    records,
    async waitFor(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!records().some(match)) {
        if (Date.now() > deadline) {
          throw new Error(
            `no matching log record within ${timeoutMs} ms; logged:\n${lines.join('\n')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import { acceptanceTable, progressLine, type SandboxFigures } from './sandbox-figures.js';
import type { SandboxOptions } from './sandbox-options.js';

export interface SandboxRun {
  sandbox: Sandbox;
  /** Resolves with the final figures once the run ends (duration elapsed, or `stop`). */
  finished: Promise<SandboxFigures>;
  stop(): Promise<void>;
}

/**
 * Runs the sandbox with a live console: a progress line every second (rewritten in place on
 * a terminal) and the sprint's acceptance table every minute.
 */
export async function runSandbox(
  base: Config,
  log: Logger,
  options: SandboxOptions,
  out: NodeJS.WriteStream = process.stdout,
): Promise<SandboxRun> {
  const sandbox = await startSandbox(base, log, options);
  const started = Date.now();
  const { port } = sandbox.app.address;
  out.write(
    [
      `tete sandbox: ${options.users} simulated users, ~${options.rate} /find per second, ` +
        `proposal TTL ${options.ttl} s, seed ${options.seed}`,
      `  no BOT_TOKEN, so Telegram is the built-in Bot API emulator at ${sandbox.emulator.apiRoot}`,
      `  database ${new URL(sandbox.config.DATABASE_URL).pathname.slice(1)}, Redis prefix "${sandbox.config.REDIS_PREFIX}"`,
      `  metrics: http://127.0.0.1:${port}/metrics   health: http://127.0.0.1:${port}/readyz`,
      `  API: POST http://127.0.0.1:${port}/match/find with Authorization: Bearer ${sandbox.config.INTERNAL_API_TOKEN ?? ''}`,
      sandbox.config.INSPECT
        ? `  inspector: ${sandbox.config.INSPECT}`
        : '  inspector: set INSPECT=ws://... to watch proposals',
      '',
    ].join('\n') + '\n',
  );

  let resolveFinished!: (figures: SandboxFigures) => void;
  const finished = new Promise<SandboxFigures>((resolve) => (resolveFinished = resolve));
  let minute = 0;
  let stopping: Promise<void> | undefined;
  const tick = setInterval(() => {
    void sandbox.figures().then(
      (figures) => {
        const elapsed = (Date.now() - started) / 1000;
        const line = progressLine(elapsed, figures);
        out.write(
          out.isTTY ? `\r\u001b[2K${line}` : Math.floor(elapsed) % 10 === 0 ? `${line}\n` : '',
        );
        if (Math.floor(elapsed / 60) > minute) {
          minute = Math.floor(elapsed / 60);
          out.write(
            `${out.isTTY ? '\n' : ''}\nAcceptance figures after ${minute} min:\n${acceptanceTable(figures)}\n\n`,
          );
        }
      },
      (error: unknown) => log.warn({ err: error }, 'sandbox figures failed'),
    );
  }, 1_000);

  let deadline: NodeJS.Timeout | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(tick);
      clearTimeout(deadline);
      const figures = await sandbox.figures();
      await sandbox.stop();
      out.write(`\n\nFinal acceptance figures:\n${acceptanceTable(figures)}\n`);
      resolveFinished(figures);
    })();
    return stopping;
  };
  // The duration counts from the moment the whole crowd has onboarded (a few minutes for a
  // few hundred people, paced like Telegram), so a run measures that long of matching.
  sandbox.ready.then(
    () => {
      const seconds = Math.round((Date.now() - started) / 1000);
      out.write(
        `${out.isTTY ? '\n' : ''}The crowd onboarded in ${seconds} s and is pressing "Find".\n`,
      );
      if (options.duration > 0 && !stopping) {
        deadline = setTimeout(() => void stop(), options.duration * 1000);
      }
    },
    () => void stop(),
  );
  return { sandbox, finished, stop };
}

import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { startSandbox, type Sandbox, type SandboxSetup } from './sandbox.js';
import {
  createSandboxConsole,
  type ConsoleOutput,
  type SandboxConsole,
} from './sandbox-console.js';
import { acceptanceTable, clock, progressLine, type SandboxFigures } from './sandbox-figures.js';
import { createSandboxLog } from './sandbox-log.js';
import type { SandboxOptions } from './sandbox-options.js';
import { sandboxSpace } from './sandbox-space.js';

export interface SandboxRun {
  sandbox: Sandbox;
  console: SandboxConsole;
  log: Logger;
  /** Resolves with the final figures once the run ends (duration elapsed, or `stop`). */
  finished: Promise<SandboxFigures>;
  stop(): Promise<void>;
}

function header(sandbox: Sandbox, logFile: string | undefined): string[] {
  const { config, space } = sandbox;
  const { port } = sandbox.app.address;
  return [
    `  no BOT_TOKEN, so Telegram is the built-in Bot API emulator at ${sandbox.emulator.apiRoot}`,
    `  database ${space.database}, Redis prefix "${space.prefix}" (its own; started empty)`,
    `  metrics: http://127.0.0.1:${port}/metrics   health: http://127.0.0.1:${port}/readyz`,
    `  API: POST http://127.0.0.1:${port}/match/find with Authorization: Bearer ${config.INTERNAL_API_TOKEN ?? ''}`,
    config.INSPECT
      ? `  inspector: ${config.INSPECT}`
      : '  inspector: set INSPECT=ws://... to watch proposals',
    logFile ? `  logs: ${logFile}` : '  logs: warnings and errors, as JSON lines',
    '  Ctrl-C stops it.',
    '',
  ];
}

/**
 * Runs the sandbox with a console for people: a progress line every second (in place on a
 * terminal), onboarding as progress, a line when the first proposal reaches someone, and the
 * sprint's acceptance table every minute and at the end.
 */
export async function runSandbox(
  base: Config,
  options: SandboxOptions,
  out: ConsoleOutput = process.stdout,
  setup: SandboxSetup = {},
): Promise<SandboxRun> {
  const console = createSandboxConsole(out);
  const { log, file } = createSandboxLog(base, console, sandboxSpace(base).database);
  console.line(
    `tete sandbox: ${options.users} simulated users, ~${options.rate} /find per second, ` +
      `proposal TTL ${options.ttl} s, seed ${options.seed}`,
  );
  const sandbox = await startSandbox(base, log, options, setup);
  const started = Date.now();
  for (const line of header(sandbox, file)) console.line(line);

  let resolveFinished!: (figures: SandboxFigures) => void;
  const finished = new Promise<SandboxFigures>((resolve) => (resolveFinished = resolve));
  let minute = 0;
  let stopping: Promise<void> | undefined;
  const { stats } = sandbox.crowd;
  void stats.firstProposal.then((at) => {
    if (stopping) return;
    const after = (at - started) / 1000;
    console.line(
      `${clock(after)} the first proposal reached a simulated person, ${after.toFixed(1)} s ` +
        `after the start (${stats.figures().onboarded} of ${options.users} people onboarded by now)`,
    );
  });
  const show = (figures: SandboxFigures) => {
    if (stopping) return;
    const elapsed = (Date.now() - started) / 1000;
    console.progress(progressLine(elapsed, figures, options.users), elapsed);
    if (Math.floor(elapsed / 60) > minute) {
      minute = Math.floor(elapsed / 60);
      console.line(`\nAcceptance figures after ${minute} min:\n${acceptanceTable(figures)}\n`);
    }
  };
  const tick = setInterval(() => {
    sandbox
      .figures()
      .then(show, (error: unknown) => log.warn({ err: error }, 'sandbox figures failed'));
  }, 1_000);

  let deadline: NodeJS.Timeout | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(tick);
      clearTimeout(deadline);
      console.line('Stopping the sandbox…');
      const figures = await sandbox.figures();
      await sandbox.stop();
      console.end();
      console.line(`\nFinal acceptance figures:\n${acceptanceTable(figures)}`);
      resolveFinished(figures);
    })();
    return stopping;
  };
  // The duration counts from the moment the whole crowd has onboarded, so a run measures
  // that long of matching with everyone in.
  sandbox.ready.then(
    (everyone) => {
      if (!everyone) return;
      const seconds = Math.round((Date.now() - started) / 1000);
      console.line(`The whole crowd has onboarded (${seconds} s).`);
      if (options.duration > 0 && !stopping) {
        deadline = setTimeout(() => void stop(), options.duration * 1000);
      }
    },
    () => void stop(),
  );
  return { sandbox, console, log, finished, stop };
}

import { loadConfig, type Config } from './config.js';
import { createLogger, secretsOf, type Logger } from './logger.js';
import { startApp } from './app.js';
import { runSandbox } from './sandbox/sandbox-runner.js';
import { parseSandboxArgs } from './sandbox/sandbox-options.js';
import { exitOnFailure } from './startup/exit-on-failure.js';

/** With no Telegram token, a developer's `npm start` shows the product working: the sandbox. */
function wantsSandbox(config: Config): boolean {
  return !config.BOT_TOKEN && config.ROLES.includes('bot') && config.SANDBOX === 'auto';
}

async function start(config: Config, log: Logger): Promise<() => Promise<void>> {
  if (!wantsSandbox(config)) {
    const app = await startApp({ config, log, migrate: true });
    return () => app.stop();
  }
  log.info('no BOT_TOKEN: starting the sandbox (set SANDBOX=off to run without the bot instead)');
  const quiet = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, undefined, {
    secrets: secretsOf(config),
  });
  const sandbox = await runSandbox(config, quiet, parseSandboxArgs(process.argv.slice(2)));
  return () => sandbox.stop();
}

async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, undefined, { secrets: secretsOf(config) });
  const stop = await start(config, log);

  let exiting = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    force.unref();
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

run().catch(exitOnFailure('tete failed to start'));

import { loadConfig, type Config } from './config.js';
import { createLogger, secretsOf } from './logger.js';
import { startApp } from './app.js';
import {
  defineCommand,
  isHelpRequest,
  optionsText,
  parseCommandLine,
} from './startup/command-line.js';
import { exitOnFailure } from './startup/exit-on-failure.js';
import { loadSandbox, SandboxMissingError, type Running } from './startup/sandbox-loader.js';

const MAIN_COMMAND = defineCommand({
  usage: 'npm start --',
  summary:
    'Runs tete: applies pending migrations, then starts the roles in ROLES, as the environment\n' +
    'variables say (the Configuration table of the README); it takes no options then.',
  flags: {},
});

/** With no Telegram token, a developer's `npm start` shows the product working: the sandbox. */
function wantsSandbox(config: Config): boolean {
  return !config.BOT_TOKEN && config.ROLES.includes('bot') && config.SANDBOX === 'auto';
}

/** The service takes no options; the sandbox's, when this build has it, follow. */
async function printHelp(): Promise<void> {
  let sandbox: string;
  try {
    sandbox = (await loadSandbox()).helpText();
  } catch (error) {
    if (!(error instanceof SandboxMissingError)) throw error;
    sandbox = `${optionsText(MAIN_COMMAND)}\n\nThis build does not include the sandbox.\n`;
  }
  process.stdout.write(
    `Usage: ${MAIN_COMMAND.usage} [options]\n\n${MAIN_COMMAND.summary}\n\n${sandbox}`,
  );
}

async function start(config: Config, argv: readonly string[]): Promise<Running> {
  if (wantsSandbox(config)) {
    // Loaded here and only here: the product itself never imports the sandbox.
    return (await loadSandbox()).startSandbox(config, argv);
  }
  // The service takes no options: the sandbox's apply only when it runs.
  parseCommandLine(MAIN_COMMAND, argv);
  const log = createLogger(config.LOG_LEVEL, undefined, { secrets: secretsOf(config) });
  const app = await startApp({ config, log, migrate: true });
  return { log, stop: () => app.stop() };
}

async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isHelpRequest(argv)) {
    await printHelp();
    process.exit(0);
  }
  const config = loadConfig();
  const running = await start(config, argv);
  const { log } = running;

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
    running.stop().then(
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
  void running.finished?.then(() => process.exit(0));
}

run().catch(exitOnFailure('tete failed to start'));

import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { runSandbox } from './sandbox-runner.js';
import { parseSandboxArgs } from './sandbox-options.js';
import { exitOnFailure } from '../startup/exit-on-failure.js';

/** `npm run sandbox -- --users 300 --rate 2 --duration 600 --ttl 60 --seed 1` */
async function run(): Promise<void> {
  const config = loadConfig();
  const options = parseSandboxArgs(process.argv.slice(2));
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const sandbox = await runSandbox(config, log, options);
  const onSignal = () => void sandbox.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await sandbox.finished;
  process.exit(0);
}

run().catch(exitOnFailure('sandbox failed'));

import { loadConfig } from '../src/config.js';
import { readCommandLine } from '../src/startup/command-line.js';
import { exitOnFailure } from '../src/startup/exit-on-failure.js';
import { runSandbox } from './sandbox-runner.js';
import { sandboxCommand } from './sandbox-options.js';

/**
 * `npm run sandbox -- --users 300 --rate 2 --duration 600 --ttl 60 --seed 1`: the sandbox
 * whether or not BOT_TOKEN is set (the sandbox never uses it).
 */
async function run(): Promise<void> {
  const options = readCommandLine(sandboxCommand('npm run sandbox --'));
  const config = loadConfig();
  const sandbox = await runSandbox(config, options);
  const onSignal = () => void sandbox.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await sandbox.finished;
  process.exit(0);
}

run().catch(exitOnFailure('sandbox failed'));

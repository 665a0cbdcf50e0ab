import { optionsText, parseCommandLine } from '../src/startup/command-line.js';
import type { SandboxEntry } from '../src/startup/sandbox-loader.js';
import { sandboxCommand } from './sandbox-options.js';
import { runSandbox } from './sandbox-runner.js';

const command = sandboxCommand('npm start --');

/**
 * The sandbox as `npm start` runs it when there is no BOT_TOKEN. `src/main.ts` loads this
 * module only then; it is the one way in from the product to the sandbox and the emulator.
 */
export const sandboxEntry: SandboxEntry = {
  helpText: () =>
    `Without BOT_TOKEN (and with SANDBOX=auto) it runs the sandbox instead.\n${command.summary}\n\n` +
    `${optionsText(command)}\n`,
  async startSandbox(config, argv) {
    const run = await runSandbox(config, parseCommandLine(command, argv));
    return {
      log: run.log,
      stop: () => run.stop(),
      finished: run.finished.then(() => undefined),
    };
  },
};

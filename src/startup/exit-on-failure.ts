import { ConfigError } from '../config.js';
import { SandboxOptionsError } from '../sandbox/sandbox-options.js';
import { StartupError } from './wait-for.js';

/**
 * The last handler of a command-line entry point: exits 1, printing only the message of an
 * error written for the person at the terminal (bad configuration or flags, a service that
 * stayed unreachable) and the whole error, after `what`, for anything else.
 */
export function exitOnFailure(what: string): (error: unknown) => never {
  return (error) => {
    if (
      error instanceof ConfigError ||
      error instanceof StartupError ||
      error instanceof SandboxOptionsError
    ) {
      console.error(error.message);
    } else {
      console.error(`${what}:`, error);
    }
    process.exit(1);
  };
}

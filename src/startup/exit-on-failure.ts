import { ConfigError } from '../config.js';
import { UsageError } from './command-line.js';
import { SandboxMissingError } from './sandbox-loader.js';
import { StartupError } from './wait-for.js';

/** Exit code of a bad command-line flag or value, as shells and `getopt` use it. */
export const USAGE_EXIT_CODE = 2;

/**
 * The last handler of a command-line entry point. A bad flag exits 2 with its one line; bad
 * configuration, a service that stayed unreachable or a sandbox missing from the build exit 1
 * with only their message, written for the person at the terminal; anything else exits 1
 * with the whole error, after `what`.
 */
export function exitOnFailure(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(USAGE_EXIT_CODE);
    }
    if (
      error instanceof ConfigError ||
      error instanceof StartupError ||
      error instanceof SandboxMissingError
    ) {
      console.error(error.message);
    } else {
      console.error(`${what}:`, error);
    }
    process.exit(1);
  };
}

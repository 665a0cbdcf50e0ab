import { defineCommand, parseCommandLine } from '../src/startup/command-line.js';

export interface SandboxOptions {
  users: number;
  /** /find presses per second across the crowd. */
  rate: number;
  /** Seconds to run once the crowd has onboarded; 0 runs until SIGINT/SIGTERM. */
  duration: number;
  /** PROPOSAL_TTL_SECONDS inside the sandbox. */
  ttl: number;
  seed: number;
}

export const SANDBOX_DEFAULTS: SandboxOptions = {
  users: 300,
  rate: 2,
  duration: 0,
  ttl: 60,
  seed: 1,
};

const SUMMARY =
  'The local sandbox: the whole service on this machine, with Telegram emulated and a\n' +
  'simulated crowd using it (its own database and Redis prefix; real data is never touched).';

/** The sandbox's flags, with the defaults of the command that runs it. */
export function sandboxCommand(usage: string, defaults: SandboxOptions = SANDBOX_DEFAULTS) {
  return defineCommand({
    usage,
    summary: SUMMARY,
    flags: {
      users: {
        kind: 'integer',
        min: 2,
        max: 100_000,
        default: defaults.users,
        help: 'simulated people',
      },
      rate: {
        kind: 'number',
        min: 0.01,
        max: 1_000,
        default: defaults.rate,
        help: '"Find a partner" presses per second, across the crowd',
      },
      duration: {
        kind: 'number',
        min: 0,
        max: 7 * 86_400,
        default: defaults.duration,
        value: 'SECONDS',
        help: 'how long to run once the crowd has onboarded; 0 runs until Ctrl-C',
      },
      ttl: {
        kind: 'integer',
        min: 1,
        max: 86_400,
        default: defaults.ttl,
        value: 'SECONDS',
        help: 'PROPOSAL_TTL_SECONDS inside the sandbox',
      },
      seed: {
        kind: 'integer',
        min: 0,
        max: 2 ** 31,
        default: defaults.seed,
        help: 'the same seed gives the same crowd',
      },
    },
  });
}

export type SandboxCommand = ReturnType<typeof sandboxCommand>;

/**
 * Reads `--users`, `--rate`, `--duration`, `--ttl` and `--seed`.
 * @throws UsageError naming the flag and what it expects.
 */
export function parseSandboxArgs(
  argv: readonly string[],
  command: SandboxCommand = sandboxCommand('npm run sandbox --'),
): SandboxOptions {
  return parseCommandLine(command, argv);
}

import { parseArgs } from 'node:util';

export interface SandboxOptions {
  users: number;
  /** /find presses per second across the crowd. */
  rate: number;
  /** Seconds to run; 0 runs until SIGINT/SIGTERM. */
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

export class SandboxOptionsError extends Error {}

/**
 * Reads `--users`, `--rate`, `--duration`, `--ttl` and `--seed` from the command line.
 * @throws SandboxOptionsError naming the flag and what it expects.
 */
export function parseSandboxArgs(
  argv: readonly string[],
  defaults = SANDBOX_DEFAULTS,
): SandboxOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        users: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        ttl: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SandboxOptionsError((error as Error).message);
  }
  const number = (name: keyof SandboxOptions, min: number, max: number, integer: boolean) => {
    const raw = values[name];
    if (raw === undefined) return defaults[name];
    const value = Number(raw);
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new SandboxOptionsError(
        `--${name}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      );
    }
    return value;
  };
  return {
    users: number('users', 2, 100_000, true),
    rate: number('rate', 0.01, 1_000, false),
    duration: number('duration', 0, 7 * 86_400, false),
    ttl: number('ttl', 1, 86_400, true),
    seed: number('seed', 0, 2 ** 31, true),
  };
}

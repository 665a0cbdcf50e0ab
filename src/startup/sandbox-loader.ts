import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** What `npm start` runs: the service's roles, or the sandbox around them. */
export interface Running {
  /** Where shutdown is reported. */
  log: Logger;
  stop(): Promise<void>;
  /** Resolves when the run ends by itself (a sandbox with a duration); the service never does. */
  finished?: Promise<void>;
}

/**
 * The contract of `sandbox/sandbox-entry.ts`. The product defines it and the sandbox
 * implements it, so the product never imports the sandbox (or the Bot API emulator) itself.
 */
export interface SandboxEntry {
  /** The sandbox's part of `npm start -- --help`: its flags and defaults. */
  helpText(): string;
  /** Reads the flags (UsageError before anything starts), then starts the sandbox. */
  startSandbox(config: Config, argv: readonly string[]): Promise<Running>;
}

/** A build without the sandbox (the production image) was asked to run it. */
export class SandboxMissingError extends Error {
  override readonly name = 'SandboxMissingError';
}

// Relative to this file both in src/startup/ (under tsx) and in dist/src/startup/ (built). A
// variable rather than a literal, so that building the product never pulls the sandbox in.
const ENTRY = '../../sandbox/sandbox-entry.js';

const isMissingEntry = (error: unknown) =>
  (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
  (error as Error).message.includes('sandbox-entry');

/**
 * Loads the sandbox, only when it is to run (or to print its help).
 * @throws SandboxMissingError, saying what to set instead, when this build has no sandbox.
 */
export async function loadSandbox(): Promise<SandboxEntry> {
  try {
    const module = (await import(ENTRY)) as { sandboxEntry: SandboxEntry };
    return module.sandboxEntry;
  } catch (error) {
    if (!isMissingEntry(error)) throw error;
    throw new SandboxMissingError(
      'BOT_TOKEN is not set, and this build does not include the sandbox that runs without ' +
        'one (it comes with a source checkout: npm ci && npm start). Set BOT_TOKEN to a token ' +
        'from @BotFather, or SANDBOX=off to run the service without the bot role.',
    );
  }
}

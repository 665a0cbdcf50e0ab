import { ConfigError, loadConfig, maskUrl } from '../config.js';
import { createLogger, secretsOf } from '../logger.js';
import { defineCommand, readCommandLine, UsageError } from '../startup/command-line.js';
import { exitOnFailure } from '../startup/exit-on-failure.js';
import { migrate } from './migrate.js';

const COMMAND = defineCommand({
  usage: 'npm run migrate --',
  summary:
    'Applies the pending migrations to DATABASE_URL, creating the database if it is missing:\n' +
    'in order, each in its own transaction, under an advisory lock.',
  flags: {},
  notes: ['It reads DATABASE_URL and LOG_LEVEL from the environment.'],
});

async function run(): Promise<void> {
  readCommandLine(COMMAND);
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, undefined, { secrets: secretsOf(config) });
  const result = await migrate({ databaseUrl: config.DATABASE_URL, log });
  log.info(
    {
      database: maskUrl(config.DATABASE_URL),
      applied: result.applied,
      functions: result.functions,
      current: result.current,
    },
    result.applied.length || result.functions.length
      ? 'migrations applied'
      : 'database is up to date',
  );
}

run().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) exitOnFailure('migrate')(error);
  console.error(`migrate: ${(error as Error).message}`);
  process.exit(1);
});

import { ConfigError, loadConfig, maskUrl } from '../config.js';
import { createLogger } from '../logger.js';
import { migrate } from './migrate.js';

async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
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
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`migrate: ${(error as Error).message}`);
  process.exit(1);
});

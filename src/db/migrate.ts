import pg from 'pg';
import type { Logger } from '../logger.js';
import { functionsToApply, readFunctions, type SqlFunction } from './function-files.js';
import {
  defaultFunctionsDir,
  defaultMigrationsDir,
  MigrationError,
  readMigrations,
  type Migration,
} from './migration-files.js';
import { SUPERSEDED_CHECKSUMS } from './superseded-migrations.js';

// Any constant works as long as every tete process uses the same one.
const ADVISORY_LOCK_KEY = 7_241_003;

/** Creates the database named in `databaseUrl` if it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new MigrationError('DATABASE_URL names no database');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE: PostgreSQL reports
      // either duplicate_database or, when the two CREATEs overlap, a catalog unique violation.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

export interface MigrateOptions {
  databaseUrl: string;
  /** Numbered migrations; the project's migrations/ by default. */
  dir?: string;
  /** One file per SQL function; the project's src/db/functions/ by default. */
  functionsDir?: string;
  log?: Logger;
}

export interface MigrateResult {
  applied: number[];
  /** Function files applied by this run, in the order they were applied. */
  functions: string[];
  current: number;
}

/**
 * Applies pending migrations, then new or changed function files, each in its own
 * transaction, under an advisory lock.
 * @throws MigrationError naming the file when an applied migration has changed since it was
 * applied, or a migration or function file fails.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = await readMigrations(options.dir ?? defaultMigrationsDir());
  const functions = await readFunctions(options.functionsDir ?? defaultFunctionsDir());
  if (await ensureDatabase(options.databaseUrl)) options.log?.info('created the database');
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await createRecordTables(client);
    const applied = await applyMigrations(client, migrations, options.log);
    // After the migrations: a function may use any table or column they create.
    const appliedFunctions = await applyFunctions(client, functions, options.log);
    const current = Math.max(0, ...migrations.map((migration) => migration.version));
    return { applied, functions: appliedFunctions, current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function createRecordTables(client: pg.Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  await client.query(`CREATE TABLE IF NOT EXISTS schema_functions (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function applyMigrations(
  client: pg.Client,
  migrations: readonly Migration[],
  log: Logger | undefined,
): Promise<number[]> {
  const { rows } = await client.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  const done = new Map(rows.map((row) => [row.version, row.checksum]));
  const applied: number[] = [];
  for (const migration of migrations) {
    const checksum = done.get(migration.version);
    if (checksum !== undefined) {
      const superseded = SUPERSEDED_CHECKSUMS.get(migration.version) ?? [];
      if (checksum !== migration.checksum && !superseded.includes(checksum)) {
        throw new MigrationError(
          `migration ${migration.version}_${migration.name} was changed after it was applied; ` +
            'add a new migration instead of editing an applied one',
        );
      }
      continue;
    }
    await inTransaction(client, `migration ${migration.version}_${migration.name}`, async () => {
      await client.query(migration.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
    });
    applied.push(migration.version);
    log?.info({ version: migration.version, name: migration.name }, 'migration applied');
  }
  return applied;
}

/**
 * Applies the function files that are new or changed (and their callers), then drops the
 * functions whose file is gone. Returns the names applied.
 */
async function applyFunctions(
  client: pg.Client,
  functions: readonly SqlFunction[],
  log: Logger | undefined,
): Promise<string[]> {
  const { rows } = await client.query<{ name: string; checksum: string }>(
    'SELECT name, checksum FROM schema_functions',
  );
  const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
  const applied: string[] = [];
  for (const fn of functionsToApply(functions, recorded)) {
    await inTransaction(client, `function file ${fn.name}.sql`, async () => {
      await dropFunction(client, fn.name);
      await client.query(fn.sql);
      await client.query(
        `INSERT INTO schema_functions (name, checksum) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
        [fn.name, fn.checksum],
      );
    });
    applied.push(fn.name);
    log?.info({ function: fn.name }, 'function applied');
  }
  const files = new Set(functions.map((fn) => fn.name));
  for (const name of recorded.keys()) {
    if (files.has(name)) continue;
    await inTransaction(client, `dropping function ${name} (its file is gone)`, async () => {
      await dropFunction(client, name);
      await client.query('DELETE FROM schema_functions WHERE name = $1', [name]);
    });
    log?.info({ function: name }, 'function dropped');
  }
  return applied;
}

/**
 * Drops every function of this name first: CREATE OR REPLACE cannot change a result type,
 * OUT parameters or argument names, and a changed argument list would add an overload beside
 * the old one. A function that the schema depends on (a generated column, an index, a view)
 * cannot be dropped, and the file fails: such a function belongs in a migration.
 */
async function dropFunction(client: pg.Client, name: string): Promise<void> {
  const { rows } = await client.query<{ signature: string }>(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
     WHERE p.proname = $1 AND p.prokind = 'f' AND p.pronamespace = to_regnamespace(current_schema())`,
    [name],
  );
  for (const { signature } of rows) await client.query(`DROP FUNCTION ${signature}`);
}

async function inTransaction(
  client: pg.Client,
  what: string,
  work: () => Promise<void>,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`${what} failed: ${(error as Error).message}`);
  }
}

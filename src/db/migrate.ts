import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from '../logger.js';

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any constant works as long as every tete process uses the same one.
const ADVISORY_LOCK_KEY = 7_241_003;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The project's `migrations/` folder, found from this module whether it runs from src or dist. */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) {
      return join(dir, 'migrations');
    }
    const parent = resolve(dir, '..');
    if (parent === dir) throw new MigrationError('cannot find the migrations folder');
    dir = parent;
  }
}

/** @throws MigrationError when a file name is malformed or two files share a version. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const match = FILE_PATTERN.exec(name);
    if (!match) throw new MigrationError(`migration file ${name} must be named NNNN_name.sql`);
    const sql = await readFile(join(dir, name), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((migration) => migration.version === version)) {
      throw new MigrationError(`two migration files have version ${version}`);
    }
    migrations.push({
      version,
      name: match[2] ?? name,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}

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
  dir?: string;
  log?: Logger;
}

export interface MigrateResult {
  applied: number[];
  current: number;
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock.
 * @throws MigrationError when an applied file has changed since it was applied.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = await readMigrations(options.dir ?? defaultMigrationsDir());
  if (await ensureDatabase(options.databaseUrl)) options.log?.info('created the database');
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((row) => [row.version, row.checksum]));
    const applied: number[] = [];
    for (const migration of migrations) {
      const checksum = done.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.version}_${migration.name} was changed after it was applied; ` +
              'add a new migration instead of editing an applied one',
          );
        }
        continue;
      }
      await applyOne(client, migration);
      applied.push(migration.version);
      options.log?.info({ version: migration.version, name: migration.name }, 'migration applied');
    }
    const current = Math.max(0, ...migrations.map((migration) => migration.version));
    return { applied, current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(
      'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
      [migration.version, migration.name, migration.checksum],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(
      `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
    );
  }
}

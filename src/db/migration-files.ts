import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

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

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A folder of the project, found from this module whether it runs from src or dist: the
 * project root is the first folder upwards that holds package.json and migrations/.
 */
function projectFolder(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) {
      return join(dir, relative);
    }
    const parent = resolve(dir, '..');
    if (parent === dir) throw new MigrationError('cannot find the migrations folder');
    dir = parent;
  }
}

/** The project's numbered migrations: schema and data. */
export const defaultMigrationsDir = (): string => projectFolder('migrations');

/** The project's SQL functions, one file each (see docs/sql.md). */
export const defaultFunctionsDir = (): string => projectFolder(join('src', 'db', 'functions'));

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
    migrations.push({ version, name: match[2] ?? name, sql, checksum: sha256(sql) });
  }
  return migrations;
}

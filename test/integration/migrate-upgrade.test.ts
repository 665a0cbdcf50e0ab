import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { readFunctions } from '../../src/db/function-files.js';
import {
  defaultFunctionsDir,
  defaultMigrationsDir,
  readMigrations,
} from '../../src/db/migration-files.js';
import { SUPERSEDED_CHECKSUMS } from '../../src/db/superseded-migrations.js';
import { dropDatabase, queryOnce } from '../helpers/databases.js';
import { RUN_ID, SERVER_PG_URL, prepareServices } from '../helpers/services.js';

/** The migrations as they were while they still created the functions (commit 3e6a780). */
const BEFORE = join(import.meta.dirname, '..', 'fixtures', 'migrations-before-functions');

/**
 * What the migrator did before function files existed: each file in its own transaction,
 * recorded in schema_migrations with its sha256 (the table exactly as it created it).
 */
async function migrateAsBefore(url: string, upTo: number): Promise<void> {
  await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    for (const migration of await readMigrations(BEFORE)) {
      if (migration.version > upTo) continue;
      await client.query('BEGIN');
      await client.query(migration.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
}

/** Everything a migration or function file can create, as text to compare. */
async function catalogOf(url: string): Promise<Record<string, unknown[]>> {
  const read = (text: string) => queryOnce(url, text);
  return {
    functions: await read(`
      SELECT pg_get_functiondef(p.oid) AS definition FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
      ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)`),
    columns: await read(`
      SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
             column_default, is_generated, generation_expression
      FROM information_schema.columns WHERE table_schema = 'public'
      ORDER BY table_name, ordinal_position`),
    indexes: await read(`
      SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    constraints: await read(`
      SELECT conrelid::regclass::text AS relation, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`),
    extensions: await read('SELECT extname, extversion FROM pg_extension ORDER BY extname'),
    migrations: await read('SELECT version, name FROM schema_migrations ORDER BY version'),
    functionFiles: await read('SELECT name, checksum FROM schema_functions ORDER BY name'),
    topics: await read('SELECT id, slug, title_ru, title_en FROM topics ORDER BY id'),
  };
}

describe('migrations: a database migrated before the functions had files of their own', function () {
  this.timeout(60_000);
  const fresh = `tete_test_${RUN_ID}_upgrade_fresh`;
  let expected: Record<string, unknown[]>;

  before(async () => {
    await prepareServices();
    await dropDatabase(fresh);
    await migrate({ databaseUrl: `${SERVER_PG_URL}/${fresh}` });
    expected = await catalogOf(`${SERVER_PG_URL}/${fresh}`);
  });
  after(() => dropDatabase(fresh));

  it('knows the checksum of every fixture file that differs from today’s migration', async () => {
    const today = new Map(
      (await readMigrations(defaultMigrationsDir())).map((file) => [file.version, file.checksum]),
    );
    const before = await readMigrations(BEFORE);
    // Migrations added after the move have no earlier text: the fixture ends where it happened.
    assert.deepEqual(
      before.map((file) => file.version),
      [...today.keys()].filter((version) => version <= before.at(-1)!.version),
    );
    for (const file of before) {
      if (file.checksum === today.get(file.version)) continue;
      assert.ok(
        SUPERSEDED_CHECKSUMS.get(file.version)?.includes(file.checksum),
        `the checksum of ${file.version}_${file.name} before the move is not known`,
      );
    }
  });

  for (const upTo of [8, 5]) {
    it(`reaches the schema and functions of a fresh database (old files applied up to ${upTo})`, async () => {
      const name = `tete_test_${RUN_ID}_upgrade_${upTo}`;
      const url = `${SERVER_PG_URL}/${name}`;
      await dropDatabase(name);
      try {
        await migrateAsBefore(url, upTo);
        const result = await migrate({ databaseUrl: url });
        const today = await readMigrations(defaultMigrationsDir());
        assert.deepEqual(
          result.applied,
          today.map((file) => file.version).filter((version) => version > upTo),
        );
        const files = await readFunctions(defaultFunctionsDir());
        assert.deepEqual(
          result.functions,
          files.map((file) => file.name),
        );
        assert.deepEqual(await catalogOf(url), expected);
        assert.deepEqual(await migrate({ databaseUrl: url }), {
          applied: [],
          functions: [],
          current: today.at(-1)!.version,
        });
      } finally {
        await dropDatabase(name);
      }
    });
  }

  it('holds exactly the body of each function file, once', async () => {
    const files = await readFunctions(defaultFunctionsDir());
    assert.ok(files.length >= 7, `only ${files.length} function files`);
    const rows = await queryOnce<{ proname: string; prosrc: string }>(
      `${SERVER_PG_URL}/${fresh}`,
      `SELECT proname, prosrc FROM pg_proc
       WHERE proname = ANY($1) AND pronamespace = 'public'::regnamespace ORDER BY proname`,
      [files.map((file) => file.name)],
    );
    assert.deepEqual(
      rows.map((row) => row.proname),
      files.map((file) => file.name).sort(),
    );
    for (const file of files) {
      const body = /\$\$([\s\S]*)\$\$/.exec(file.sql)?.[1];
      assert.equal(rows.find((row) => row.proname === file.name)?.prosrc, body, file.name);
    }
  });
});

import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, copyFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { readFunctions } from '../../src/db/function-files.js';
import {
  defaultFunctionsDir,
  defaultMigrationsDir,
  readMigrations,
} from '../../src/db/migration-files.js';
import { dropDatabase, queryOnce } from '../helpers/databases.js';
import { RUN_ID, SERVER_PG_URL, prepareServices } from '../helpers/services.js';

describe('migrations', function () {
  const name = `tete_test_${RUN_ID}_migrate`;
  const url = `${SERVER_PG_URL}/${name}`;

  before(() => prepareServices());
  after(() => dropDatabase(name));

  it('creates a missing database and brings it to the latest version', async () => {
    await dropDatabase(name);
    const files = await readMigrations(defaultMigrationsDir());
    const result = await migrate({ databaseUrl: url });
    assert.deepEqual(
      result.applied,
      files.map((file) => file.version),
    );
    assert.equal(result.current, files.at(-1)!.version);
    const rows = await queryOnce<{ version: number; checksum: string }>(
      url,
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      rows.map((row) => row.checksum),
      files.map((file) => file.checksum),
    );
    const topics = await queryOnce<{ count: string }>(url, 'SELECT count(*) FROM topics');
    assert.ok(Number(topics[0]!.count) >= 30);
  });

  it('is a no-op when re-run', async () => {
    const result = await migrate({ databaseUrl: url });
    assert.deepEqual(result.applied, []);
    assert.deepEqual(result.functions, []);
  });

  it('lets only one of two concurrent runs apply each file', async () => {
    const other = `${name}_race`;
    const otherUrl = `${SERVER_PG_URL}/${other}`;
    await dropDatabase(other);
    try {
      const [first, second] = await Promise.all([
        migrate({ databaseUrl: otherUrl }),
        migrate({ databaseUrl: otherUrl }),
      ]);
      const files = await readMigrations(defaultMigrationsDir());
      assert.equal(first.applied.length + second.applied.length, files.length);
      const functions = await readFunctions(defaultFunctionsDir());
      assert.equal(first.functions.length + second.functions.length, functions.length);
    } finally {
      await dropDatabase(other);
    }
  });

  it('refuses an applied file whose checksum changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tete-migrations-'));
    for (const file of await readdir(defaultMigrationsDir())) {
      await copyFile(join(defaultMigrationsDir(), file), join(dir, file));
    }
    await appendFile(join(dir, '0001_users_and_topics.sql'), '\n-- edited after the fact\n');
    await assert.rejects(
      migrate({ databaseUrl: url, dir }),
      /migration 1_users_and_topics was changed after it was applied/,
    );
  });

  it('rolls back a failing file and records nothing for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tete-migrations-'));
    for (const file of await readdir(defaultMigrationsDir())) {
      await copyFile(join(defaultMigrationsDir(), file), join(dir, file));
    }
    await appendFile(
      join(dir, '9999_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM missing_table;\n',
    );
    await assert.rejects(migrate({ databaseUrl: url, dir }), /migration 9999_broken failed/);
    const tables = await queryOnce(url, "SELECT 1 FROM pg_tables WHERE tablename = 'half_done'");
    assert.equal(tables.length, 0);
    const recorded = await queryOnce(url, 'SELECT 1 FROM schema_migrations WHERE version = 9999');
    assert.equal(recorded.length, 0);
  });

  it('enforces the schema truths with constraints', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(
        "INSERT INTO users (tg_id, first_name) VALUES (1, 'A'), (2, 'B') RETURNING id",
      );
      const [a, b] = rows.map((row) => row.id);
      await assert.rejects(
        client.query(
          `INSERT INTO matches (user_a, user_b, score, shared_count, shared_topic_ids, expires_at)
           VALUES ($1, $1, 0.5, 2, '{1,2}', now() + interval '5 minutes')`,
          [a],
        ),
        /matches_not_self/,
      );
      await assert.rejects(
        client.query(
          `INSERT INTO matches (user_a, user_b, status, score, shared_count, shared_topic_ids, expires_at, decided_at)
           VALUES ($1, $2, 'maybe', 0.5, 2, '{1,2}', now() + interval '5 minutes', now())`,
          [a, b],
        ),
        /matches_status_valid/,
      );
      await assert.rejects(
        client.query('UPDATE users SET helpfulness = 1.5 WHERE id = $1', [a]),
        /users_helpfulness_check/,
      );
    } finally {
      await client.end();
    }
  });
});

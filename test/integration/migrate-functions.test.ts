import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../src/db/migrate.js';
import { defaultFunctionsDir } from '../../src/db/migration-files.js';
import { dropDatabase, queryOnce } from '../helpers/databases.js';
import { RUN_ID, SERVER_PG_URL, prepareServices } from '../helpers/services.js';

/** A function of the test's own, so the product's functions stay as they are. */
const probe = (signature: string, body: string) =>
  `CREATE OR REPLACE FUNCTION tete_probe${signature} LANGUAGE sql IMMUTABLE AS $$ ${body} $$;\n`;

describe('migrations: function files', function () {
  this.timeout(60_000);
  const name = `tete_test_${RUN_ID}_functions`;
  const url = `${SERVER_PG_URL}/${name}`;
  let functionsDir: string;

  const run = () => migrate({ databaseUrl: url, functionsDir });
  const signatures = (fn: string) =>
    queryOnce<{ signature: string; result: string }>(
      url,
      `SELECT p.oid::regprocedure::text AS signature, pg_get_function_result(p.oid) AS result
       FROM pg_proc p WHERE p.proname = $1 ORDER BY 1`,
      [fn],
    );
  const recorded = async (fn: string) =>
    (
      await queryOnce<{ checksum: string }>(
        url,
        'SELECT checksum FROM schema_functions WHERE name = $1',
        [fn],
      )
    )[0]?.checksum;

  before(async () => {
    await prepareServices();
    await dropDatabase(name);
    functionsDir = await mkdtemp(join(tmpdir(), 'tete-functions-'));
    await cp(defaultFunctionsDir(), functionsDir, { recursive: true });
    await run();
  });
  after(async () => {
    await dropDatabase(name);
    await rm(functionsDir, { recursive: true, force: true });
  });

  it('re-applies a changed file and the files that call its function, and nothing else', async () => {
    await appendFile(join(functionsDir, 'match_claim.sql'), '\n-- edited\n');
    const result = await run();
    assert.deepEqual(result.applied, []);
    assert.deepEqual(result.functions, [
      'match_claim',
      'match_process_search',
      'match_second_chance',
      'match_process_batch',
    ]);
    assert.deepEqual((await run()).functions, []);
  });

  it('replaces a function whose arguments and result changed, leaving no old overload', async () => {
    await writeFile(
      join(functionsDir, 'tete_probe.sql'),
      probe('(a integer) RETURNS integer', 'SELECT a + 1'),
    );
    assert.deepEqual((await run()).functions, ['tete_probe']);
    assert.deepEqual(await signatures('tete_probe'), [
      { signature: 'tete_probe(integer)', result: 'integer' },
    ]);
    // Same arguments, another result: CREATE OR REPLACE alone refuses that.
    await writeFile(
      join(functionsDir, 'tete_probe.sql'),
      probe('(a integer, OUT doubled text)', 'SELECT (a * 2)::text'),
    );
    assert.deepEqual((await run()).functions, ['tete_probe']);
    assert.deepEqual(await signatures('tete_probe'), [
      { signature: 'tete_probe(integer)', result: 'text' },
    ]);
    // Other arguments: CREATE OR REPLACE alone would leave the old overload beside the new one.
    await writeFile(
      join(functionsDir, 'tete_probe.sql'),
      probe('(a text, b text, OUT joined text)', 'SELECT a || b'),
    );
    assert.deepEqual((await run()).functions, ['tete_probe']);
    assert.deepEqual(await signatures('tete_probe'), [
      { signature: 'tete_probe(text,text)', result: 'text' },
    ]);
    const [row] = await queryOnce<{ joined: string }>(url, "SELECT tete_probe('a', 'b') AS joined");
    assert.equal(row?.joined, 'ab');
  });

  it('rolls back a failing file, keeping the previous version and its record', async () => {
    const before = await recorded('tete_probe');
    await writeFile(
      join(functionsDir, 'tete_probe.sql'),
      probe('(a integer) RETURNS integer', 'SELECT nope(a)'),
    );
    await assert.rejects(run(), /function file tete_probe\.sql failed: .*nope/);
    assert.deepEqual(await signatures('tete_probe'), [
      { signature: 'tete_probe(text,text)', result: 'text' },
    ]);
    assert.equal(await recorded('tete_probe'), before);
  });

  it('drops a function whose file is gone, and forgets it', async () => {
    await rm(join(functionsDir, 'tete_probe.sql'));
    assert.deepEqual((await run()).functions, []);
    assert.deepEqual(await signatures('tete_probe'), []);
    assert.equal(await recorded('tete_probe'), undefined);
  });

  it('refuses a function file for a function the schema depends on', async () => {
    // waiting_pool.topic_pairs is computed by match_topic_pairs: it stays in its migration.
    await writeFile(
      join(functionsDir, 'match_topic_pairs.sql'),
      `CREATE OR REPLACE FUNCTION match_topic_pairs(topics integer[]) RETURNS bigint[]
       LANGUAGE sql IMMUTABLE AS $$ SELECT '{}'::bigint[] $$;\n`,
    );
    try {
      await assert.rejects(run(), /function file match_topic_pairs\.sql failed: .*depend/);
      assert.equal((await signatures('match_topic_pairs')).length, 1);
    } finally {
      await rm(join(functionsDir, 'match_topic_pairs.sql'));
    }
  });
});

import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionsToApply, readFunctions } from '../../src/db/function-files.js';
import { MigrationError } from '../../src/db/migration-files.js';

const define = (name: string, body = 'SELECT 1') =>
  `-- ${name}\nCREATE OR REPLACE FUNCTION ${name}() RETURNS integer LANGUAGE sql AS $$ ${body} $$;\n`;

describe('function files: reading and order', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tete-function-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const files = async (contents: Record<string, string>) => {
    for (const [file, text] of Object.entries(contents)) await writeFile(join(dir, file), text);
    return readFunctions(dir);
  };

  it('orders each file after the files of the functions it calls, then by name', async () => {
    const read = await files({
      'a_top.sql': define('a_top', 'SELECT b_middle() + z_base()'),
      'b_middle.sql': define('b_middle', 'SELECT z_base()'),
      'c_alone.sql': define('c_alone'),
      'z_base.sql': define('z_base'),
    });
    assert.deepEqual(
      read.map((fn) => fn.name),
      ['c_alone', 'z_base', 'b_middle', 'a_top'],
    );
    assert.deepEqual(read.find((fn) => fn.name === 'a_top')?.calls, ['b_middle', 'z_base']);
  });

  it('does not count a name in a comment, or a longer name, as a call', async () => {
    const read = await files({
      'a_one.sql': `-- see b_two() for why\n${define('a_one', 'SELECT b_two_more(1) /* b_two() */')}`,
      'b_two.sql': define('b_two'),
    });
    assert.deepEqual(
      read.map((fn) => [fn.name, fn.calls]),
      [
        ['a_one', []],
        ['b_two', []],
      ],
    );
  });

  it('applies new and changed files and every file that calls them', async () => {
    const read = await files({
      'a_top.sql': define('a_top', 'SELECT b_middle()'),
      'b_middle.sql': define('b_middle', 'SELECT z_base()'),
      'c_alone.sql': define('c_alone'),
      'z_base.sql': define('z_base'),
    });
    const all = new Map(read.map((fn) => [fn.name, fn.checksum]));
    assert.deepEqual(functionsToApply(read, all), []);
    assert.deepEqual(
      functionsToApply(read, new Map([...all, ['z_base', 'an older checksum']])).map(
        (fn) => fn.name,
      ),
      ['z_base', 'b_middle', 'a_top'],
    );
    const withoutAlone = new Map([...all].filter(([name]) => name !== 'c_alone'));
    assert.deepEqual(
      functionsToApply(read, withoutAlone).map((fn) => fn.name),
      ['c_alone'],
    );
  });

  it('refuses functions that call each other in a circle, naming the files', async () => {
    await assert.rejects(
      files({
        'a_one.sql': define('a_one', 'SELECT b_two()'),
        'b_two.sql': define('b_two', 'SELECT a_one()'),
        'c_three.sql': define('c_three'),
      }),
      (error: unknown) =>
        error instanceof MigrationError &&
        /in a circle: a_one\.sql, b_two\.sql$/.test(error.message),
    );
  });

  it('refuses a file that is misnamed or does not define exactly its own function', async () => {
    const cases: [string, string, RegExp][] = [
      ['Bad-Name.sql', define('bad_name'), /Bad-Name\.sql must be named function_name\.sql/],
      ['a_one.sql', define('b_two'), /a_one\.sql must define one function, a_one/],
      ['a_one.sql', define('a_one').replace(' OR REPLACE', ''), /a_one\.sql must define one/],
      ['a_one.sql', define('a_one') + define('a_two'), /a_one\.sql must define one/],
    ];
    for (const [file, text, message] of cases) {
      await rm(dir, { recursive: true, force: true });
      dir = await mkdtemp(join(tmpdir(), 'tete-function-files-'));
      await assert.rejects(files({ [file]: text }), message);
    }
  });
});

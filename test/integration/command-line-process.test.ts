import { strict as assert } from 'node:assert';
import { stat } from 'node:fs/promises';
import pg from 'pg';
import { spawnTs, type Spawned } from '../helpers/process.js';
import { prepareServices, RUN_ID, SERVER_PG_URL, TEST_REDIS_PREFIX } from '../helpers/services.js';

/** A database name no one has created; the tests check that it stays that way. */
const UNTOUCHED = `tete_test_${RUN_ID}_untouched`;

const env = {
  DATABASE_URL: `${SERVER_PG_URL}/${UNTOUCHED}`,
  REDIS_PREFIX: `${TEST_REDIS_PREFIX}cli:`,
  // Nothing may be started for a bad flag; should something be, it finds no bench database.
  BENCH_POSTGRES_URL: 'postgres://nobody@127.0.0.1:1',
  PORT: '0',
};

async function databases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)',
      [UNTOUCHED],
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

async function finished(run: Spawned): Promise<{ code: number | null; said: string }> {
  const code = await run.exited;
  return { code, said: run.output().trim() };
}

/** `--help` exits 0 and lists every flag given, each with its default. */
async function helps(entry: string, usage: string, flags: [string, string][]): Promise<void> {
  const { code, said } = await finished(spawnTs(entry, env, ['--help']));
  assert.equal(code, 0, said);
  assert.ok(said.startsWith(`Usage: ${usage} [options]`), said);
  for (const [flag, shown] of flags) {
    assert.match(said, new RegExp(`^ {2}${flag}\\b.*${shown}`, 'm'), `${flag} in:\n${said}`);
  }
  assert.match(said, /^ {2}--help +shows this help and exits$/m);
}

/** A bad flag or value exits 2 with one line naming it, having done nothing else. */
async function refuses(entry: string, args: string[], line: RegExp, extra = {}): Promise<void> {
  const { code, said } = await finished(spawnTs(entry, { ...env, ...extra }, args));
  assert.equal(code, 2, said);
  assert.match(said, line);
  assert.equal(said.split('\n').length, 1, `expected one line, got:\n${said}`);
  assert.deepEqual(await databases(), [], 'a database was created');
}

describe('every command-line entry point: --help, and exit 2 for a bad flag', function () {
  this.timeout(60_000);
  before(() => prepareServices());

  it('npm start (src/main.ts)', async () => {
    await helps('src/main.ts', 'npm start --', [
      ['--users N', 'default 300'],
      ['--rate N', 'default 2'],
      ['--duration SECONDS', 'default 0'],
      ['--ttl SECONDS', 'default 60'],
      ['--seed N', 'default 1'],
    ]);
    await refuses('src/main.ts', ['--users', 'many'], /^--users: expected an integer from 2/);
    await refuses('src/main.ts', ['--users', '5'], /^Unknown option '--users'/, {
      BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    });
  });

  it('npm run sandbox and npm run acceptance', async () => {
    await helps('sandbox/sandbox-cli.ts', 'npm run sandbox --', [['--users N', 'default 300']]);
    await refuses('sandbox/sandbox-cli.ts', ['--rate', '0'], /^--rate: expected a number/);
    await helps('sandbox/acceptance-cli.ts', 'npm run acceptance --', [
      ['--users N', 'default 400'],
      ['--duration SECONDS', 'default 600'],
    ]);
    await refuses('sandbox/acceptance-cli.ts', ['--speed', '2'], /^Unknown option '--speed'/);
    await helps('sandbox/capacity-cli.ts', 'npm run capacity --', [
      ['--users N', 'enough for --to: 150 per /find/s'],
      ['--seconds SECONDS', 'default 60'],
      ['--paid N', 'default 0'],
    ]);
    await refuses('sandbox/capacity-cli.ts', ['--step', '0'], /^--step: expected a number/);
    // A crowd that would run out of idle people before the top rate measures the crowd.
    await refuses(
      'sandbox/capacity-cli.ts',
      ['--users', '400', '--to', '12'],
      /^--users 400 is too small for --to 12: .* give --users 1800 or more, or lower --to\.$/,
    );
  });

  it('npm run bench', async () => {
    await helps('bench/bench-cli.ts', 'npm run bench --', [
      ['--quick', 'a 20-second run'],
      ['--rate N', 'default 500'],
      ['--duration SECONDS', 'default 300; 20 with --quick'],
      ['--env KEY=VALUE', 'may be repeated'],
    ]);
    await refuses('bench/bench-cli.ts', ['--rate', 'abc'], /^--rate: expected a number/);
    await refuses('bench/bench-cli.ts', ['--env', 'NOPE=1'], /^--env: NOPE is not a config/);
  });

  it('npm run migrate', async () => {
    await helps('src/db/migrate-cli.ts', 'npm run migrate --', []);
    assert.deepEqual(await databases(), [], '--help created the database');
    await refuses('src/db/migrate-cli.ts', ['--force'], /^Unknown option '--force'/);
  });

  it('npm run chart and npm run inspector', async () => {
    const before = (await stat('README.md')).mtimeMs;
    await helps('scripts/chart.ts', 'npm run chart --', [['--check', 'stale']]);
    await refuses('scripts/chart.ts', ['--chek'], /^Unknown option '--chek'/);
    assert.equal((await stat('README.md')).mtimeMs, before, 'the chart was written');
    await helps('scripts/inspector.ts', 'npm run inspector --', [['--port N', 'default 8080']]);
    await refuses('scripts/inspector.ts', ['--port', '0'], /^--port: expected an integer/);
  });
});

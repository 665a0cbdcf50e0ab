import { strict as assert } from 'node:assert';
import pg from 'pg';
import { spawnTs, type Spawned } from '../helpers/process.js';
import {
  prepareServices,
  SERVER_PG_URL,
  TEST_DB_URL,
  TEST_REDIS_PREFIX,
  TEST_REDIS_ENV,
  testRedis,
} from '../helpers/services.js';

const baseEnv = {
  DATABASE_URL: TEST_DB_URL,
  ...TEST_REDIS_ENV,
  HOST: '127.0.0.1',
  PORT: '0',
  STARTUP_TIMEOUT_SECONDS: '10',
  SANDBOX: 'auto',
};
const SMALL = ['--users', '4', '--rate', '0.5'];
const PROGRESS = /^\[\d\d:\d\d\] .*\| proposals /;

/** Starts a sandbox through `npm start`'s entry point; resolves once it shows progress. */
async function startSandbox(prefix: string, args = SMALL) {
  const run = spawnTs('src/main.ts', { ...baseEnv, REDIS_PREFIX: prefix }, args);
  const header = await run.waitFor(/database \S+, Redis prefix "[^"]*"/, 40_000);
  const [, database = '', keyPrefix = ''] = /database (\S+), Redis prefix "([^"]*)"/.exec(header)!;
  await run.waitFor(PROGRESS, 20_000);
  return { run, database, keyPrefix };
}

async function databaseOid(name: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ oid: number }>(
      'SELECT oid::int8 AS oid FROM pg_database WHERE datname = $1',
      [name],
    );
    return rows[0] ? Number(rows[0].oid) : undefined;
  } finally {
    await client.end();
  }
}

/** Progress lines printed after `mark` characters of output: the sandbox is still running. */
async function stillRunning(run: Spawned): Promise<void> {
  const seen = run.output().length;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (run.child.exitCode !== null) reject(new Error(`exited:\n${run.output()}`));
      const later = run.output().slice(seen).split('\n');
      if (later.some((line) => PROGRESS.test(line))) resolve();
      else return;
      clearInterval(timer);
    }, 200);
  });
}

async function stop(run: Spawned): Promise<void> {
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0, run.output());
}

describe('two sandboxes on one machine', function () {
  this.timeout(120_000);
  before(() => prepareServices());

  it('a second sandbox on the same database and prefix refuses, naming the first, which runs on', async () => {
    const first = await startSandbox(`${TEST_REDIS_PREFIX}same:`);
    const oid = await databaseOid(first.database);
    try {
      const second = spawnTs(
        'src/main.ts',
        { ...baseEnv, REDIS_PREFIX: `${TEST_REDIS_PREFIX}same:` },
        SMALL,
      );
      assert.equal(await second.exited, 1, second.output());
      assert.match(
        second.output(),
        new RegExp(
          `^Another sandbox is running on database ${first.database} ` +
            `\\(tete sandbox pid ${first.run.child.pid} port \\d+, connected from .* since `,
          'm',
        ),
      );
      assert.doesNotMatch(second.output(), /^\s+at /m, 'a stack trace');
      assert.equal(await databaseOid(first.database), oid, 'the database was dropped');
      await stillRunning(first.run);
    } finally {
      await stop(first.run);
    }
  });

  it('with nested prefixes, neither clears the other’s keys or drops its database', async () => {
    const redis = testRedis();
    const inner = await startSandbox(`${TEST_REDIS_PREFIX}nest:inner:`);
    try {
      const oid = await databaseOid(inner.database);
      await redis.set(`${inner.keyPrefix}marker`, 'mine');
      const outer = await startSandbox(`${TEST_REDIS_PREFIX}nest:`);
      try {
        assert.notEqual(outer.database, inner.database);
        assert.equal(await redis.get(`${inner.keyPrefix}marker`), 'mine', 'keys were cleared');
        assert.equal(await databaseOid(inner.database), oid, 'the database was dropped');
        await stillRunning(inner.run);
        await stillRunning(outer.run);
      } finally {
        await stop(outer.run);
      }
    } finally {
      await stop(inner.run);
      redis.disconnect();
    }
  });
});

describe('the sandbox with its default crowd of 300', function () {
  this.timeout(180_000);
  before(() => prepareServices());

  it('shows onboarding as progress, and the first proposal within 15 s of the first progress line', async () => {
    const run = spawnTs('src/main.ts', { ...baseEnv, REDIS_PREFIX: `${TEST_REDIS_PREFIX}crowd:` });
    try {
      await run.waitFor(/^tete sandbox: 300 simulated users/, 40_000);
      const firstLine = await run.waitFor(PROGRESS, 60_000);
      const shownAt = Date.now();
      assert.match(firstLine, /onboarding \d+\/300 \|/);
      const proposal = await run.waitFor(/the first proposal reached a simulated person/, 60_000);
      const seconds = (Date.now() - shownAt) / 1000;
      console.log(`      the first proposal came ${seconds} s after the first progress line`);
      assert.ok(
        seconds <= 15,
        `the first proposal came ${seconds} s after the first progress line`,
      );
      assert.match(proposal, /\(\d+ of 300 people onboarded by now\)/);
    } finally {
      await stop(run);
    }
  });
});

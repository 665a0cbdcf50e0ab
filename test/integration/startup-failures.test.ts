import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { sandboxSpace } from '../../sandbox/sandbox-space.js';
import { createBotApiEmulator } from '@tete/bot-api-emulator';
import { StartupError } from '../../src/startup/wait-for.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';
import { spawnTs } from '../helpers/process.js';
import {
  SERVER_PG_URL,
  TEST_REDIS_PREFIX,
  prepareServices,
  testConfig,
} from '../helpers/services.js';

const TOKEN = '123456:AAstartupFailureTokenSecretHalf0123';

/** A Bot API that accepts connections and never answers (a black-holed address). */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * What start-up says when a dependency is missing or unfit: which one, at which address (no
 * password, no token), and why; within STARTUP_TIMEOUT_SECONDS; with no misleading error
 * lines on the way; and with nothing destroyed first.
 */
describe('start-up failures say why, in time, and break nothing', function () {
  this.timeout(90_000);
  before(() => prepareServices());

  it('a dead Redis: "refused the connection", causes logged, nothing at error level', async () => {
    const logs = captureLogs('debug');
    const config = testConfig({
      REDIS_URL: 'redis://:pw-1234567@127.0.0.1:1',
      STARTUP_TIMEOUT_SECONDS: '1',
    });
    await assert.rejects(startApp({ config, log: logs.log }), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.match(
        error.message,
        /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 refused the connection: connect ECONNREFUSED 127\.0\.0\.1:1 \(\d+ attempts? in [\d.]+ s\)$/,
      );
      return true;
    });
    const records = logs.records();
    const retries = records.filter((r) => r.msg === 'dependency not reachable yet');
    assert.ok(retries.length > 0);
    for (const retry of retries) assert.match(String(retry.reason), /ECONNREFUSED/);
    assert.deepEqual(
      records.filter((r) => (r.level as number) >= 50),
      [],
      'no error-level line such as "failed to stop cleanly"',
    );
  });

  it('npm start with SANDBOX=off and a dead Redis ends with that line, and no error lines', async () => {
    const run = spawnTs('src/main.ts', {
      DATABASE_URL: await createScratchDatabase(),
      REDIS_URL: 'redis://127.0.0.1:1',
      SANDBOX: 'off',
      STARTUP_TIMEOUT_SECONDS: '1',
      PORT: '0',
    });
    assert.equal(await run.exited, 1);
    const lines = run.output().trim().split('\n');
    assert.match(lines.at(-1)!, /^Redis at redis:\/\/127\.0\.0\.1:1 refused the connection/);
    assert.doesNotMatch(
      run.output(),
      /"level":50|failed to stop cleanly|\[redacted\]|Connection is closed/,
    );
  });

  it('the sandbox with a dead Redis drops nothing before giving up', async () => {
    const database = new URL(await createScratchDatabase());
    const prefix = `${TEST_REDIS_PREFIX}dead-sandbox:`;
    // The database this sandbox would reset, named as the sandbox names it.
    const sandboxName = sandboxSpace(
      parseConfig({ DATABASE_URL: database.toString(), REDIS_PREFIX: prefix }),
    ).database;
    const admin = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(sandboxName)}`);
      const run = spawnTs('src/main.ts', {
        DATABASE_URL: database.toString(),
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_PREFIX: prefix,
        STARTUP_TIMEOUT_SECONDS: '1',
        PORT: '0',
      });
      assert.equal(await run.exited, 1);
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [sandboxName]);
      assert.equal(left.rowCount, 1, 'the sandbox database is still there');
      assert.match(run.output(), /Redis at redis:\/\/127\.0\.0\.1:1 refused the connection/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(sandboxName)} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('a Bot API that never answers: start-up gives up after STARTUP_TIMEOUT_SECONDS', async () => {
    const silent = await silentServer();
    const logs = captureLogs('debug');
    const started = Date.now();
    try {
      const config = testConfig({
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: silent.url,
        STARTUP_TIMEOUT_SECONDS: '2',
        ROLES: 'bot',
      });
      await assert.rejects(startApp({ config, log: logs.log }), (error: unknown) => {
        assert.ok(error instanceof StartupError, String(error));
        assert.match(
          error.message,
          /^Telegram Bot API at http:\/\/127\.0\.0\.1:\d+ did not answer: no answer within/,
        );
        assert.doesNotMatch(error.message, /AAstartup/);
        return true;
      });
    } finally {
      await silent.close();
    }
    const took = Date.now() - started;
    assert.ok(took < 8_000, `gave up after ${took} ms`);
    assert.ok(!logs.text().includes('AAstartup'), 'the token is not logged');
  });

  it('a Bot API that refuses the token: start-up gives up at once, saying so', async () => {
    const emulator = createBotApiEmulator({ token: '999:AAanotherBotsTokenEntirely_0123456' });
    await emulator.start();
    const started = Date.now();
    try {
      const config = testConfig({
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        STARTUP_TIMEOUT_SECONDS: '30',
        ROLES: 'bot',
      });
      await assert.rejects(
        startApp({ config, log: captureLogs('silent').log }),
        (error: unknown) => {
          assert.ok(error instanceof StartupError, String(error));
          assert.match(
            error.message,
            /^Telegram Bot API at http:\/\/127\.0\.0\.1:\d+ refused: .*401/,
          );
          return true;
        },
      );
    } finally {
      await emulator.stop();
    }
    assert.ok(Date.now() - started < 5_000, 'no retrying a refusal for 30 s');
  });
});

import { strict as assert } from 'node:assert';
import { spawnTs } from '../helpers/process.js';
import {
  prepareServices,
  TEST_DB_URL,
  TEST_REDIS_PREFIX,
  TEST_REDIS_ENV,
} from '../helpers/services.js';

const baseEnv = {
  DATABASE_URL: TEST_DB_URL,
  ...TEST_REDIS_ENV,
  REDIS_PREFIX: TEST_REDIS_PREFIX,
  HOST: '127.0.0.1',
  PORT: '0',
  STARTUP_TIMEOUT_SECONDS: '2',
  SANDBOX: 'off',
};

describe('the service process (src/main.ts)', function () {
  this.timeout(60_000);
  before(() => prepareServices());

  it('exits 1 naming PORT when PORT is invalid', async () => {
    const run = spawnTs('src/main.ts', { ...baseEnv, PORT: 'eighty' });
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /^PORT: expected an integer from 0 to 65535$/m);
  });

  it('exits 1 naming REDIS_URL when REDIS_URL is invalid', async () => {
    const run = spawnTs('src/main.ts', {
      ...baseEnv,
      REDIS_URL: 'http://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: '',
    });
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /^REDIS_URL: expected a redis: or rediss: URL/m);
  });

  it('exits 1 naming the unreachable service and its masked URL', async () => {
    const run = spawnTs('src/main.ts', {
      ...baseEnv,
      REDIS_URL: 'redis://:topsecret@127.0.0.1:1',
      REDIS_CLUSTER_NODES: '',
    });
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 refused the connection/);
    assert.doesNotMatch(run.output(), /topsecret/);
  });

  it('with SANDBOX=off and no BOT_TOKEN, says why the bot is off, and exits 0 on SIGTERM', async () => {
    const run = spawnTs('src/main.ts', { ...baseEnv, LOG_LEVEL: 'info', SANDBOX: 'off' });
    const botLine = await run.waitFor(/bot role is off/);
    assert.match(botLine, /BOT_TOKEN is not set/);
    const started = await run.waitFor(/tete started/);
    const port = (JSON.parse(started) as { port: number }).port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /"msg":"stopped"/);
  });

  it('with no BOT_TOKEN runs the sandbox: a simulated crowd is matched within seconds, chats counted once', async () => {
    const run = spawnTs(
      'src/main.ts',
      { ...baseEnv, LOG_LEVEL: 'info', SANDBOX: 'auto', STARTUP_TIMEOUT_SECONDS: '10' },
      ['--users', '24', '--rate', '4', '--seed', '7'],
    );
    await run.waitFor(/tete sandbox: 24 simulated users/, 30_000);
    await run.waitFor(/Telegram is the built-in Bot API emulator/);
    // The progress line appears every 10 s off a terminal; wait for one that shows proposals.
    const line = await run.waitFor(/finds [1-9]\d* \| proposals [1-9]/, 90_000);
    assert.match(line, /accept/);
    // ... and one where a chat has opened: both people see it open, it is one chat.
    await run.waitFor(/\(✓[1-9]/, 90_000);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /Final acceptance figures:/);
    const confirmed = Number(
      /^\| proposals \(confirmed [^|]*\| — \| \d+ \((\d+) \//m.exec(run.output())?.[1],
    );
    const chats = Number(/^\| chats started, mean rating \| — \| (\d+),/m.exec(run.output())?.[1]);
    assert.ok(chats >= 1 && chats <= confirmed, `${chats} chats started, ${confirmed} confirmed`);
  });
});

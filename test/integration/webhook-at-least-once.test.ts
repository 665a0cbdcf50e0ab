import { strict as assert } from 'node:assert';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { startApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import {
  createBotApiEmulator,
  type BotApiEmulator,
  type EmulatedUser,
} from '@tete/bot-api-emulator';
import { freePort } from '../../sim-kit/free-port.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { spawnTs, type Spawned } from '../helpers/process.js';
import { TEST_REDIS_ENV, TEST_REDIS_PREFIX, testConfig } from '../helpers/services.js';
import { onboard } from '../helpers/telegram-users.js';
import { postUpdate, textUpdate, type PostedUpdate } from '../helpers/webhook-updates.js';

const SECRET = 'at-least-once-webhook-secret_01';
const SEARCHING = /^Looking for a partner/;
const ANSWERS = /^(Looking for a partner|I am already looking)/;

/** A transaction that holds the user's row, so a search for them waits on it. */
async function holdUser(databaseUrl: string, telegramId: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM users WHERE tg_id = $1 FOR UPDATE', [telegramId]);
  return {
    /** Backends of other sessions stuck behind this lock. */
    waiting: async () =>
      (
        await client.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows.map((row) => row.pid),
    terminate: (pid: number) => client.query('SELECT pg_terminate_backend($1)', [pid]),
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

const answersOf = (person: EmulatedUser) =>
  person.botMessages().filter((m) => ANSWERS.test(m.text ?? '')).length;

async function searchesOf(db: App['deps']['db'], telegramId: number) {
  return db.anyFirst(sql.type(z.object({ state: z.string() }))`
    SELECT s.state FROM searches s JOIN users u ON u.id = s.user_id
    WHERE u.tg_id = ${telegramId}`);
}

/**
 * An update is marked done only after its handling committed. One in flight when its process
 * is killed is handled when Telegram retries it; one delivered to two processes at once is
 * handled once, and neither process says "done" before it is.
 */
describe('webhook: updates at least once, and once', function () {
  this.timeout(180_000);
  let emulator: BotApiEmulator;
  let databaseUrl: string;
  let run: Spawned | undefined;
  let updateId = 910_000_000;

  before(async () => {
    emulator = createBotApiEmulator({ bot: { username: 'tete_once_bot', firstName: 'tete' } });
    await emulator.start();
    databaseUrl = await createScratchDatabase();
  });
  after(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    await emulator.stop();
  });

  it('an update in flight when its process is killed (kill -9) is handled on retry', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const prefix = `${TEST_REDIS_PREFIX}once-kill:`;
    const env = {
      DATABASE_URL: databaseUrl,
      ...TEST_REDIS_ENV,
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      WEBHOOK_URL: `${url}/telegram/webhook`,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_LEASE_SECONDS: '2',
    };
    run = spawnTs('src/main.ts', env);
    await run.waitFor(/tete started/, 60_000);
    const person = await onboard(emulator, {
      firstName: 'Kim',
      languageCode: 'en',
      topics: [1, 2],
      timeoutMs: 20_000,
    });
    const update = textUpdate((updateId += 1), person.user, '/find');
    const lock = await holdUser(databaseUrl, person.id);
    try {
      const inFlight = postUpdate(url, update, SECRET).catch(() => undefined);
      const stuck = await eventually(
        async () => {
          const pids = await lock.waiting();
          return pids.length ? pids : undefined;
        },
        20_000,
        'the handler waits on the lock',
      );
      run.child.kill('SIGKILL');
      await run.exited;
      await inFlight;
      // PostgreSQL notices a vanished client only when it next talks to it; end its wait now.
      for (const pid of stuck) await lock.terminate(pid);
    } finally {
      await lock.release();
    }
    assert.equal(answersOf(person), 0, 'nobody answered before the crash');

    run = spawnTs('src/main.ts', env);
    await run.waitFor(/tete started/, 60_000);
    // Telegram retries until it gets a 2xx; 503 while the dead process's claim runs out.
    const answers: number[] = [];
    await eventually(
      async () => {
        const answer = await postUpdate(url, update, SECRET);
        answers.push(answer.status);
        return answer.status === 200;
      },
      30_000,
      'the retry is accepted',
    );
    assert.ok(
      answers.every((status) => status === 200 || status === 503),
      String(answers),
    );
    await person.waitForBotMessage((m) => SEARCHING.test(m.text ?? ''), { timeoutMs: 20_000 });
    assert.equal((await postUpdate(url, update, SECRET)).status, 200, 'and now a duplicate');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(answersOf(person), 1, 'answered once');
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  it('the same update delivered to two processes at once is handled once', async () => {
    const prefix = `${TEST_REDIS_PREFIX}once-two:`;
    const log = createLogger('silent');
    const ports = [await freePort(), await freePort()];
    const apps: App[] = [];
    try {
      for (const port of ports) {
        const config = testConfig({
          DATABASE_URL: databaseUrl,
          REDIS_PREFIX: prefix,
          PORT: String(port),
          BOT_TOKEN: emulator.token,
          TELEGRAM_API_ROOT: emulator.apiRoot,
          WEBHOOK_URL: `http://127.0.0.1:${ports[0]}/telegram/webhook`,
          WEBHOOK_SECRET: SECRET,
          OUTBOUND_CHAT_INTERVAL_MS: '0',
        });
        apps.push(await startApp({ config, log, botInfo: emulator.botInfo }));
      }
      const urls = ports.map((port) => `http://127.0.0.1:${port}`);
      const person = await onboard(emulator, {
        firstName: 'Lev',
        languageCode: 'en',
        topics: [3, 4],
        timeoutMs: 20_000,
      });
      const update = textUpdate((updateId += 1), person.user, '/find');
      const lock = await holdUser(databaseUrl, person.id);
      let first: Promise<PostedUpdate>;
      let second: PostedUpdate;
      try {
        first = postUpdate(urls[0]!, update, SECRET);
        await eventually(
          async () => ((await lock.waiting()).length ? true : undefined),
          20_000,
          'the first delivery waits on the lock',
        );
        // Meanwhile the same update reaches the other process: it must not say "done".
        second = await postUpdate(urls[1]!, update, SECRET);
        assert.equal(second.status, 503, 'not acknowledged while the first is in flight');
        assert.match(String(second.retryAfter), /^\d+$/);
      } finally {
        await lock.release();
      }
      assert.equal((await first).status, 200);
      assert.equal((await postUpdate(urls[1]!, update, SECRET)).status, 200, 'a duplicate now');
      await person.waitForBotMessage((m) => SEARCHING.test(m.text ?? ''), { timeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(answersOf(person), 1, 'one answer');
      assert.equal((await searchesOf(apps[0]!.deps.db, person.id)).length, 1, 'one search');
    } finally {
      for (const app of apps) await app.stop();
    }
  });
});

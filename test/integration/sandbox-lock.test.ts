import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import type { RedisClient } from '../../src/redis/client.js';
import { lockSandbox, SandboxBusyError } from '../../sandbox/sandbox-lock.js';
import {
  prepareServices,
  RUN_ID,
  SERVER_PG_URL,
  TEST_REDIS_PREFIX,
  testRedis,
} from '../helpers/services.js';

const serverUrl = `${SERVER_PG_URL}/postgres`;

/** The pid of a process that has just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('the sandbox claim on its database and Redis keys', () => {
  let redis: RedisClient;
  before(async () => {
    await prepareServices();
    redis = testRedis();
  });
  after(() => redis.disconnect());

  it('refuses a second claim on the same database, naming the first, and frees it on release', async () => {
    const database = `tete_test_${RUN_ID}_claim_db`;
    const first = await lockSandbox({
      serverUrl,
      database,
      redis,
      redisKey: `${TEST_REDIS_PREFIX}claim-a.lock`,
    });
    await first.setPort(4321);
    const second = () =>
      lockSandbox({ serverUrl, database, redis, redisKey: `${TEST_REDIS_PREFIX}claim-b.lock` });
    await assert.rejects(
      second(),
      (error: unknown) =>
        error instanceof SandboxBusyError &&
        error.message.includes(
          `on database ${database} (tete sandbox pid ${process.pid} port 4321`,
        ),
    );
    assert.equal(await redis.exists(`${TEST_REDIS_PREFIX}claim-b.lock`), 0, 'b was left claimed');
    await first.release();
    await (await second()).release();
  });

  it('refuses keys a live sandbox holds, and takes over those of a process that is gone', async () => {
    const redisKey = `${TEST_REDIS_PREFIX}claim-c.lock`;
    const claimed = (pid: number) =>
      redis.set(redisKey, JSON.stringify({ pid, host: hostname(), startedAt: 'earlier' }));
    const claim = () =>
      lockSandbox({ serverUrl, database: `tete_test_${RUN_ID}_claim_c`, redis, redisKey });
    await claimed(process.pid);
    await assert.rejects(
      claim(),
      (error: unknown) =>
        error instanceof SandboxBusyError &&
        error.message.includes(`(pid ${process.pid} on ${hostname()}, started earlier)`),
    );
    await claimed(await deadPid());
    const lock = await claim();
    assert.equal(
      (JSON.parse((await redis.get(redisKey))!) as { pid: number }).pid,
      process.pid,
      'the abandoned claim was not taken over',
    );
    await lock.release();
    assert.equal(await redis.exists(redisKey), 0);
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { spawnTs, type Spawned } from '../helpers/process.js';
import { TEST_REDIS_ENV } from '../helpers/services.js';
import { createUsers } from './proposal-support.js';
import { eventually } from '../helpers/eventually.js';

const TTL_SECONDS = 2;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const timing = z.object({
  id: z.number(),
  status: z.string(),
  created_at: z.date(),
  decided_at: z.date().nullable(),
});

/** The proposal the matcher made for `userId`, once it exists. */
async function proposalOf(t: TestApp, userId: number) {
  return eventually(
    () =>
      t.app.deps.db.one(sql.type(timing)`
        SELECT id, status, created_at, decided_at FROM matches
        WHERE ${userId} IN (user_a, user_b)`),
    15_000,
  );
}

/** Milliseconds from creation to `expired` in PostgreSQL (both stamps are PostgreSQL's). */
async function expiryMs(t: TestApp, matchId: number): Promise<number> {
  const row = await eventually(async () => {
    const found = await t.app.deps.db.one(sql.type(timing)`
      SELECT id, status, created_at, decided_at FROM matches WHERE id = ${matchId}`);
    assert.equal(found.status, 'expired');
    return found;
  }, 20_000);
  return row.decided_at!.getTime() - row.created_at.getTime();
}

/** Two users with their own topic pair search; the real matcher pairs them. */
async function proposeUnanswered(t: TestApp, pair: number): Promise<number> {
  const topics = [2 * pair - 1, 2 * pair].map((topic) => ((topic - 1) % 32) + 1);
  const [a, b] = await createUsers(t.app.deps.db, 2, topics);
  await t.app.deps.services.searches.find(a!);
  await t.app.deps.services.searches.find(b!);
  return (await proposalOf(t, a!)).id;
}

describe(`proposal TTL (PROPOSAL_TTL_SECONDS=${TTL_SECONDS})`, function () {
  this.timeout(120_000);

  describe('with the timers role in the app', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({
        PROPOSAL_TTL_SECONDS: String(TTL_SECONDS),
        ROLES: 'api,matcher,timers',
      });
    });
    after(() => t?.stop());

    it('expires an unanswered proposal in PostgreSQL within 3 s', async () => {
      const ids = await Promise.all([1, 2, 3, 4, 5].map((pair) => proposeUnanswered(t, pair)));
      const measured = await Promise.all(ids.map((id) => expiryMs(t, id)));
      console.log(
        `      created → expired: ${measured.join(', ')} ms (median ${median(measured)})`,
      );
      for (const ms of measured) {
        assert.ok(ms >= TTL_SECONDS * 1000, `expired early: ${ms} ms`);
        assert.ok(ms <= 3_000, `expired after ${ms} ms`);
      }
    });
  });

  describe('when the timers process is killed with SIGKILL and restarted', () => {
    let t: TestApp;
    let timers: Spawned | undefined;
    before(async () => {
      t = await startTestApp({ PROPOSAL_TTL_SECONDS: String(TTL_SECONDS), ROLES: 'api,matcher' });
    });
    after(async () => {
      timers?.child.kill('SIGTERM');
      await timers?.exited;
      await t?.stop();
    });

    /** A separate `ROLES=timers` process on the app's database and Redis prefix. */
    async function startTimers(): Promise<{ process: Spawned; startMs: number }> {
      const { config } = t.app.deps;
      const started = Date.now();
      const run = spawnTs('src/main.ts', {
        DATABASE_URL: config.DATABASE_URL,
        ...TEST_REDIS_ENV,
        REDIS_PREFIX: config.REDIS_PREFIX,
        ROLES: 'timers',
        PROPOSAL_TTL_SECONDS: String(TTL_SECONDS),
        SWEEP_INTERVAL_SECONDS: '1',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        STARTUP_TIMEOUT_SECONDS: '20',
      });
      await run.waitFor(/tete started/, 60_000);
      return { process: run, startMs: Date.now() - started };
    }

    it('still expires the proposal, as soon as a timers process is back', async () => {
      timers = (await startTimers()).process;
      const expiries: number[] = [];
      const restarts: number[] = [];
      for (const pair of [1, 2, 3]) {
        const matchId = await proposeUnanswered(t, pair);
        // "Right after creation": once the actor's record and its timer job exist.
        await eventually(async () => {
          assert.ok(await t.app.deps.services.store.load(matchId));
          assert.ok(await t.app.deps.services.proposalTimers.isPending(matchId));
          return true;
        });
        timers.child.kill('SIGKILL');
        await timers.exited;
        const restarted = await startTimers();
        timers = restarted.process;
        restarts.push(restarted.startMs);
        const ms = await expiryMs(t, matchId);
        expiries.push(ms);
        assert.ok(ms >= TTL_SECONDS * 1000, `expired early: ${ms} ms`);
        // Never later than the restart plus a sweep (plus slack for a loaded machine).
        assert.ok(ms <= Math.max(TTL_SECONDS * 1000, restarted.startMs) + 3_000, `${ms} ms`);
      }
      console.log(
        `      after kill -9: created → expired ${expiries.join(', ')} ms (median ${median(expiries)}); ` +
          `timers restart took ${restarts.join(', ')} ms`,
      );
    });
  });
});

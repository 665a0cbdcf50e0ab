import { strict as assert } from 'node:assert';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { workerOf } from '../../src/roles/role.js';
import { QUEUE_NAMES } from '../../src/redis/keys.js';

/**
 * A worker whose job never finishes (as when its Redis connection is left behind by a
 * failover and a command never answers) must not hold the process's shutdown: it gets half
 * of SHUTDOWN_TIMEOUT_SECONDS, then the shutdown goes on without it, and its job stays in
 * Redis to run again as a stalled job.
 */
describe('a worker that cannot finish does not hold the shutdown', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    // No timers role: nothing else takes jobs from the wake-holds queue.
    t = await startTestApp({ ROLES: 'api', SHUTDOWN_TIMEOUT_SECONDS: '2' });
  });
  after(() => t?.stop());

  it('closes within its deadline, and the job is still there to retry', async () => {
    const { queues } = t.app.deps;
    let started = false;
    const worker = workerOf(
      t.app.deps,
      QUEUE_NAMES.wakeHolds,
      () => {
        started = true;
        return new Promise<never>(() => undefined);
      },
      {},
    );
    await worker.start();
    const job = await queues.wakeHolds.add('stuck', { userId: 1 } as never, { jobId: 'stuck-1' });
    await eventually(() => started, 10_000, 'the job to start');

    const stopping = Date.now();
    await worker.stop();
    const took = Date.now() - stopping;
    assert.ok(took >= 900 && took < 4_000, `stopped after ${took} ms, the deadline being 1 s`);
    assert.equal(await queues.wakeHolds.getJobState(job.id!), 'active', 'not lost: active');
  });

  it('closes at once when its jobs finish', async () => {
    const worker = workerOf(t.app.deps, QUEUE_NAMES.wakeHolds, () => Promise.resolve('done'), {});
    await worker.start();
    const stopping = Date.now();
    await worker.stop();
    assert.ok(Date.now() - stopping < 900, 'well before the deadline');
  });
});

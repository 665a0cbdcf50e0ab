import { strict as assert } from 'node:assert';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { workerOf } from '../../src/roles/role.js';
import { QUEUE_NAMES, type QueueName } from '../../src/redis/keys.js';
import { createLifecycle } from '../../src/startup/lifecycle.js';
import { createLogger } from '../../src/logger.js';

/** Half of SHUTDOWN_TIMEOUT_SECONDS (6 s): what the workers get to finish their jobs. */
const JOBS_BUDGET_MS = 3_000;

/**
 * A worker whose job never finishes (as when its Redis connection is left behind by a
 * failover and a command never answers) must not hold the process's shutdown: the workers
 * share half of SHUTDOWN_TIMEOUT_SECONDS, each at least a second, then the shutdown goes on
 * without them, and their jobs stay in Redis to run again as stalled jobs.
 */
describe('a worker that cannot finish does not hold the shutdown', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    // No timers role: nothing else takes jobs from the wake-holds and pause-timers queues.
    t = await startTestApp({ ROLES: 'api', SHUTDOWN_TIMEOUT_SECONDS: '6' });
  });
  after(() => t?.stop());

  /** A started worker on `queue` whose one job, `jobId`, has begun and never ends. */
  async function stuckWorker(queue: QueueName, jobId: string) {
    let started = false;
    const worker = workerOf(
      t.app.deps,
      queue,
      () => {
        started = true;
        return new Promise<never>(() => undefined);
      },
      {},
    );
    await worker.start();
    const target =
      queue === QUEUE_NAMES.wakeHolds ? t.app.deps.queues.wakeHolds : t.app.deps.queues.pauseTimers;
    await target.add('stuck', {} as never, { jobId });
    await eventually(() => started, 10_000, `the job ${jobId} to start`);
    return { worker, state: () => target.getJobState(jobId) };
  }

  it('closes within its deadline, and the job is still there to retry', async () => {
    const { worker, state } = await stuckWorker(QUEUE_NAMES.wakeHolds, 'stuck-1');
    const stopping = Date.now();
    await worker.stop();
    const took = Date.now() - stopping;
    assert.ok(
      took >= JOBS_BUDGET_MS - 100 && took < JOBS_BUDGET_MS + 1_500,
      `stopped after ${took} ms`,
    );
    assert.equal(await state(), 'active', 'not lost: active');
  });

  it('closes at once when its jobs finish', async () => {
    const worker = workerOf(t.app.deps, QUEUE_NAMES.wakeHolds, () => Promise.resolve('done'), {});
    await worker.start();
    const stopping = Date.now();
    await worker.stop();
    assert.ok(Date.now() - stopping < JOBS_BUDGET_MS / 2, 'well before the deadline');
  });

  it('two stuck workers share the deadline: the shutdown takes it once, plus a second', async () => {
    const lifecycle = createLifecycle(createLogger('silent'), JOBS_BUDGET_MS);
    for (const [queue, jobId] of [
      [QUEUE_NAMES.wakeHolds, 'stuck-2'],
      [QUEUE_NAMES.pauseTimers, 'stuck-3'],
    ] as const) {
      const { worker } = await stuckWorker(queue, jobId);
      lifecycle.add({ name: queue, stop: (finishBy) => worker.stop(finishBy) });
    }
    const stopping = Date.now();
    await lifecycle.stop();
    const took = Date.now() - stopping;
    // Each on its own deadline, the two would take twice the budget (6 s).
    assert.ok(took < 2 * JOBS_BUDGET_MS - 1_000, `stopped after ${took} ms`);
    assert.ok(took >= JOBS_BUDGET_MS + 900, `the second still got its second (${took} ms)`);
  });
});

import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import type { Router } from '@koa/router';
import type { UserFromGetMe } from 'grammy/types';
import type { Core } from '../core.js';
import type { Resources } from '../resources.js';
import type { QueueName } from '../redis/keys.js';
import { startPeriodic } from '../startup/periodic.js';
import { logErrorEvents } from '../startup/error-events.js';

/** What a role is built from: the process's resources and the core services. */
export interface RoleContext {
  resources: Resources;
  core: Core;
  /** The bot's identity when already known: skips getMe (tests, the sandbox). */
  botInfo?: UserFromGetMe;
}

/** Something a role runs: started when the process starts, stopped in reverse order. */
export interface Component {
  name: string;
  start(): Promise<void> | void;
  /** `finishBy`: when the shutdown wants the work in hand finished (a timestamp). */
  stop(finishBy?: number): Promise<void>;
}

/** A role, built: the HTTP routes it serves and what it runs. Building opens nothing. */
export interface RoleParts {
  routers: Router[];
  components: Component[];
}

export type RoleFactory = (context: RoleContext) => RoleParts;

/** What a worker gets to close once the shutdown's deadline for jobs has passed. */
const MIN_CLOSE_MS = 1_000;

/** A BullMQ worker on one of the process's queues; a failed job is logged. */
export function workerOf<T>(
  resources: Resources,
  queue: QueueName,
  processor: Processor<T>,
  options: Partial<WorkerOptions>,
): Component {
  let worker: Worker<T> | undefined;
  return {
    name: `worker ${queue}`,
    async start() {
      worker = new Worker<T>(queue, processor, { ...resources.queueOptions(queue), ...options });
      logErrorEvents(worker, { queue }, resources.log);
      worker.on('failed', (job, error) =>
        resources.log.warn({ queue, jobId: job?.id, reason: error.message }, 'job failed'),
      );
      // Closed before its connections are set up, a worker's set-up failure would be emitted
      // with no listener (see openResources): it counts as started once ready.
      await worker.waitUntilReady();
    },
    stop: async (
      finishBy = Date.now() + (resources.config.SHUTDOWN_TIMEOUT_SECONDS * 1000) / 2,
    ) => {
      if (!worker) return;
      // A worker past the shutdown's shared deadline still gets a moment to close cleanly.
      const deadlineMs = Math.max(finishBy - Date.now(), MIN_CLOSE_MS);
      if ((await within(worker.close(), deadlineMs)) === 'done') return;
      // Seen after a Redis Cluster failover: a command of the worker's never answers, so
      // close() waits for ever. The worker is left behind (disconnecting it would close the
      // connection it shares with the queues); its jobs are not lost: their locks lapse and,
      // as stalled jobs, they run again on another worker (every processor is idempotent).
      resources.log.error({ queue, deadlineMs }, 'worker did not close in time; left behind');
    },
  };
}

/** 'done' when `promise` resolves within `ms` (a rejection passes through), else 'late'. */
async function within(promise: Promise<unknown>, ms: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([promise.then(() => 'done' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A task run every `ms`, never overlapping itself (see startPeriodic). */
export function periodic(
  resources: Resources,
  name: string,
  ms: number,
  task: () => Promise<unknown>,
): Component {
  let running: ReturnType<typeof startPeriodic> | undefined;
  return {
    name,
    start() {
      running = startPeriodic(name, ms, task, resources.log);
    },
    stop: async () => running?.stop(),
  };
}

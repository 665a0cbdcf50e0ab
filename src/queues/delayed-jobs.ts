import type { Queue } from 'bullmq';

/**
 * One delayed job per id, for timers that must fire once at a given time. Adding an id that
 * already exists is a no-op (BullMQ de-duplicates by jobId), which makes scheduling
 * idempotent; finished jobs are kept for a while so a late duplicate stays a no-op.
 */
export interface DelayedJobs<T> {
  schedule(id: string, atMs: number, data: T): Promise<void>;
  /** Best effort: a job that is already running is left alone. */
  cancel(id: string): Promise<void>;
  /** True while the job waits, is delayed or runs. */
  isPending(id: string): Promise<boolean>;
}

export interface DelayedJobsOptions {
  now?: () => number;
  /**
   * Remove a job as soon as it completes instead of keeping it an hour: for jobs whose data
   * must not outlive them (a held message's chat and text after /delete) and whose replay
   * something else makes a no-op.
   */
  removeOnComplete?: boolean;
}

export function createDelayedJobs<T>(
  queue: Queue,
  name: string,
  options: DelayedJobsOptions = {},
): DelayedJobs<T> {
  const now = options.now ?? Date.now;
  const removeOnComplete = options.removeOnComplete ? true : { age: 3_600 };
  return {
    async schedule(id, atMs, data) {
      await queue.add(name, data, {
        jobId: id,
        delay: Math.max(0, atMs - now()),
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete,
        removeOnFail: { age: 7 * 86_400 },
      });
    },
    async cancel(id) {
      const job = await queue.getJob(id);
      if (!job) return;
      await job.remove().catch(() => undefined);
    },
    async isPending(id) {
      const job = await queue.getJob(id);
      if (!job) return false;
      const state = await job.getState();
      return ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(state);
    },
  };
}

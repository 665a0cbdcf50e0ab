import { DelayedError, type Job, type Queue } from 'bullmq';
import type { DatabasePool } from 'slonik';
import type { DelayedJobs } from '../queues/delayed-jobs.js';
import type { Notice } from '../notifications/notifier.js';
import { isAwake, nextWakingTime } from './waking-hours.js';
import { sleeperOf } from './personal-hours.js';

/**
 * Something that must reach a person only during their local waking hours. Each kind has one
 * handler (see createWakeHoldProcessor); a feature that holds something adds its kind here.
 */
export type HeldAction =
  | { kind: 'again.invite'; fromUserId: number; toUserId: number }
  /** A notice that reached `userId` at night (see the night rule in src/notifications). */
  | { kind: 'notice'; userId: number; notice: Notice };
export type HeldKind = HeldAction['kind'];

/** A held action and the person whose waking hours it waits for. */
export interface WakeHoldData {
  userId: number;
  action: HeldAction;
}

export type WakeHoldHandlers = {
  [K in HeldKind]: (action: Extract<HeldAction, { kind: K }>) => Promise<unknown>;
};

/**
 * The one place that says whether it is night for a person (their own waking hours from
 * /profile, else WAKING_HOURS), and holds things until morning.
 */
export interface WakeHolds {
  /** True when `userId` is awake now (an unknown user counts as asleep). */
  isAwake(userId: number): Promise<boolean>;
  /**
   * Schedules `action` for when `userId` next wakes, under `id` (one hold per id: holding an
   * id already held changes nothing). Resolves with that time, in epoch ms.
   */
  hold(id: string, userId: number, action: HeldAction): Promise<number>;
  /** True while something is held under `id`. */
  isHeld(id: string): Promise<boolean>;
  cancel(id: string): Promise<void>;
  /** Drops every held action that names `userId`: erasure. */
  forgetUser(userId: number): Promise<void>;
}

export interface WakeHoldDeps {
  db: DatabasePool;
  queue: Queue<WakeHoldData>;
  jobs: DelayedJobs<WakeHoldData>;
  wakingHours: { start: number; end: number };
  now?: () => number;
}

const involves = (data: WakeHoldData, userId: number) =>
  data.userId === userId || Object.values(data.action).includes(userId);

export function createWakeHolds(deps: WakeHoldDeps): WakeHolds {
  const now = deps.now ?? Date.now;
  return {
    async isAwake(userId) {
      const sleeper = await sleeperOf(deps.db, userId, deps.wakingHours);
      return sleeper !== null && isAwake(sleeper.tz, sleeper.hours, new Date(now()));
    },
    async hold(id, userId, action) {
      const sleeper = await sleeperOf(deps.db, userId, deps.wakingHours);
      const { tz, hours } = sleeper ?? { tz: 'UTC', hours: deps.wakingHours };
      const at = nextWakingTime(tz, hours, new Date(now()));
      // A finished hold under this id is kept a while (see DelayedJobs) and would make the new
      // one a no-op: it goes first. One still pending stays, so holding twice holds once.
      const finished = await deps.queue.getJob(id);
      if (finished && ['completed', 'failed'].includes(await finished.getState())) {
        await finished.remove().catch(() => undefined);
      }
      await deps.jobs.schedule(id, at, { userId, action });
      return at;
    },
    isHeld: (id) => deps.jobs.isPending(id),
    cancel: (id) => deps.jobs.cancel(id),
    async forgetUser(userId) {
      // Erasure is rare and few things are held at once, so a scan of the queue will do.
      const held = await deps.queue.getJobs(['delayed', 'waiting', 'prioritized']);
      for (const job of held) {
        if (job.data && involves(job.data, userId)) await job.remove().catch(() => undefined);
      }
    },
  };
}

/**
 * Runs a held action once its person is awake. A job that fires while they still sleep (a
 * time zone changed, a clock moved for daylight saving) waits again until they wake; one
 * whose person is gone is dropped.
 */
export function createWakeHoldProcessor(
  deps: Pick<WakeHoldDeps, 'db' | 'wakingHours' | 'now'> & { handlers: WakeHoldHandlers },
) {
  const now = deps.now ?? Date.now;
  return async (job: Job<WakeHoldData>, token?: string): Promise<string> => {
    const { userId, action } = job.data;
    const sleeper = await sleeperOf(deps.db, userId, deps.wakingHours);
    if (sleeper === null) return 'gone';
    const at = new Date(now());
    if (!isAwake(sleeper.tz, sleeper.hours, at)) {
      await job.moveToDelayed(nextWakingTime(sleeper.tz, sleeper.hours, at), token);
      throw new DelayedError();
    }
    await run(deps.handlers, action);
    return 'done';
  };
}

function run<K extends HeldKind>(
  handlers: WakeHoldHandlers,
  action: Extract<HeldAction, { kind: K }>,
): Promise<unknown> {
  return (handlers[action.kind] as (a: typeof action) => Promise<unknown>)(action);
}

import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Job } from 'bullmq';
import type { DelayedJobs } from '../queues/delayed-jobs.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ErasedUser, UserDataOwner } from '../erasure/user-data.js';
import { withdrawFromMatching } from '../db/queries/searches.js';
import { isWaking, utcOffsetMinutes } from '../time/waking-hours.js';

/** What a pause's resume job carries: whose pause, and the end it was scheduled for. */
export interface PauseEndData {
  userId: number;
  untilMs: number;
}

/** The lengths /pause offers, in days. */
export const PAUSE_DAYS = [1, 3, 7] as const;
export type PauseDays = (typeof PAUSE_DAYS)[number];

/**
 * One job per pause, named by its end: a new pause gets a new job even while the old one's
 * id is still kept as finished, and the old one, cancelled, would find nothing to end anyway.
 */
export const pauseEndJobId = (userId: number, untilMs: number) => `pause-end-${userId}-${untilMs}`;

export interface PauseServiceDeps {
  db: DatabasePool;
  jobs: DelayedJobs<PauseEndData>;
  notifier: Notifier;
  wakingHours: { start: number; end: number };
  /** Length of one day of pause (PAUSE_DAY_HOURS); shortened by tests and the sandbox. */
  dayMs: number;
  now?: () => number;
}

/**
 * A pause may end up to this long before its time: a job that runs a moment early (clocks of
 * Node and PostgreSQL differ slightly) still ends its pause instead of leaving it forever.
 */
const EARLY_MS = 5_000;

const untilRow = z.object({ paused_until: z.date().nullable() });
const endedRow = z.object({
  tz: z.string(),
  paused_until: z.date(),
  waking_start: z.number().nullable(),
  waking_end: z.number().nullable(),
});

/** True when the local hour in `timeZone` at `atMs` falls in the waking hours. */
export function isAwakeAt(
  timeZone: string,
  hours: { start: number; end: number },
  atMs: number,
): boolean {
  let offset = 0;
  try {
    offset = utcOffsetMinutes(timeZone, new Date(atMs));
  } catch {
    offset = 0;
  }
  const minutes = (((Math.floor(atMs / 60_000) + offset) % 1440) + 1440) % 1440;
  return isWaking(Math.floor(minutes / 60), hours);
}

/**
 * /pause and /resume: a person takes a break from matching for a while. The pause itself is
 * `users.paused_until`, which user_search_refusal reads, so nobody paused starts a search or
 * is matched; a delayed job at its end clears it and, unless it is night for them, says so.
 */
export function createPauseService(deps: PauseServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  /** Ends the pause if it is due; says so only to someone awake. Returns whether it ended. */
  async function endIfDue(userId: number): Promise<boolean> {
    const ended = await db.maybeOne(sql.type(endedRow)`
      UPDATE users u SET paused_until = NULL
      FROM (SELECT id, paused_until FROM users WHERE id = ${userId} FOR UPDATE) old
      WHERE u.id = old.id AND old.paused_until IS NOT NULL
        AND old.paused_until <= to_timestamp(${now() + EARLY_MS}::float8 / 1000)
      RETURNING u.tz, old.paused_until, u.waking_start, u.waking_end`);
    if (!ended) return false;
    // A pause that ends at night ends quietly: the next /find simply works.
    // Their own waking hours (/profile) when they set some.
    const hours =
      ended.waking_start !== null && ended.waking_end !== null
        ? { start: ended.waking_start, end: ended.waking_end }
        : deps.wakingHours;
    if (isAwakeAt(ended.tz, hours, now())) {
      await deps.notifier.notify(userId, {
        kind: 'pause.ended',
        untilMs: ended.paused_until.getTime(),
      });
    }
    return true;
  }

  async function currentUntil(userId: number): Promise<Date | null> {
    return db.maybeOneFirst(sql.type(untilRow)`
      SELECT paused_until FROM users
      WHERE id = ${userId} AND paused_until > to_timestamp(${now()}::float8 / 1000)`);
  }

  return {
    /**
     * Pauses `userId` for `days` from now (a new pause replaces the one running). An open
     * search stops; a proposal or chat in progress goes on, and no new one follows it.
     */
    async pause(userId: number, days: PauseDays): Promise<{ until: Date; stopped: boolean }> {
      const untilMs = now() + days * deps.dayMs;
      const { previous, stopped } = await db.transaction(async (tx) => {
        const old = await tx.maybeOneFirst(sql.type(untilRow)`
          SELECT paused_until FROM users WHERE id = ${userId} FOR UPDATE`);
        await tx.query(sql.unsafe`
          UPDATE users SET paused_until = to_timestamp(${untilMs}::float8 / 1000) WHERE id = ${userId}`);
        const open = await tx.maybeOneFirst(sql.type(z.object({ n: z.number() }))`
          SELECT count(*)::int AS n FROM searches
          WHERE user_id = ${userId} AND state IN ('queued', 'waiting')`);
        await withdrawFromMatching(tx, userId, 'paused');
        return { previous: old ?? null, stopped: (open ?? 0) > 0 };
      });
      await deps.jobs.schedule(pauseEndJobId(userId, untilMs), untilMs, { userId, untilMs });
      if (previous && previous.getTime() !== untilMs) {
        await deps.jobs.cancel(pauseEndJobId(userId, previous.getTime()));
      }
      return { until: new Date(untilMs), stopped };
    },

    /** Ends a running pause now. False when there was none. */
    async resume(userId: number): Promise<boolean> {
      const old = await db.maybeOneFirst(sql.type(untilRow)`
        UPDATE users u SET paused_until = NULL
        FROM (SELECT id, paused_until FROM users WHERE id = ${userId} FOR UPDATE) old
        WHERE u.id = old.id AND old.paused_until IS NOT NULL
        RETURNING old.paused_until`);
      if (!old) return false;
      await deps.jobs.cancel(pauseEndJobId(userId, old.getTime()));
      return old.getTime() > now();
    },

    /** When the user's pause ends, or null when they are not paused. */
    pausedUntil: currentUntil,

    /** The pause-timers job handler. */
    async processEnd(job: Job<PauseEndData>): Promise<string> {
      return (await endIfDue(job.data.userId)) ? 'ended' : 'gone';
    },

    /**
     * Ends pauses whose job was lost (Redis lost its data): they already ended for matching,
     * since user_search_refusal compares with the clock; this clears them and says so.
     */
    async endOverdue(graceMs: number, limit = 100): Promise<number> {
      const overdue = await db.anyFirst(sql.type(z.object({ id: z.number() }))`
        SELECT id FROM users
        WHERE paused_until < to_timestamp(${now() - graceMs}::float8 / 1000)
        ORDER BY paused_until LIMIT ${limit}`);
      let count = 0;
      for (const userId of overdue) if (await endIfDue(userId)) count += 1;
      return count;
    },

    /** The erasure contract: the pause's job goes, then the pause. */
    userData: {
      async forgetUser(user: ErasedUser): Promise<void> {
        const until = await db.maybeOneFirst(sql.type(untilRow)`
          SELECT paused_until FROM users WHERE id = ${user.id}`);
        if (until) await deps.jobs.cancel(pauseEndJobId(user.id, until.getTime()));
        await db.query(sql.unsafe`UPDATE users SET paused_until = NULL WHERE id = ${user.id}`);
      },
    } satisfies UserDataOwner,
  };
}

export type PauseService = ReturnType<typeof createPauseService>;

import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { UserDataOwner } from '../erasure/user-data.js';

export interface WakingHours {
  start: number;
  end: number;
}

/**
 * The windows /profile offers. A few presets rather than free input: each is a button, and
 * nobody has to type "07:00-22:00" right. 24 as the end is midnight; 1 and 3 cross it.
 */
export const WAKING_PRESETS: readonly WakingHours[] = [
  { start: 7, end: 22 },
  { start: 8, end: 23 },
  { start: 9, end: 24 },
  { start: 10, end: 1 },
  { start: 12, end: 3 },
];

export const isPreset = (hours: WakingHours) =>
  WAKING_PRESETS.some((p) => p.start === hours.start && p.end === hours.end);

const sleeperRow = z.object({
  tz: z.string(),
  waking_start: z.number().nullable(),
  waking_end: z.number().nullable(),
});

/** A person's time zone and waking hours (their own, or `fallback`); null when they are gone. */
export async function sleeperOf(
  db: CommonQueryMethods,
  userId: number,
  fallback: WakingHours,
): Promise<{ tz: string; hours: WakingHours; own: boolean } | null> {
  const row = await db.maybeOne(sql.type(sleeperRow)`
    SELECT tz, waking_start, waking_end FROM users WHERE id = ${userId} AND deleted_at IS NULL`);
  if (!row) return null;
  const own = row.waking_start !== null && row.waking_end !== null;
  return {
    tz: row.tz,
    hours: own ? { start: row.waking_start!, end: row.waking_end! } : fallback,
    own,
  };
}

/** Sets (or, with null, clears back to the service's) a person's waking hours. */
export async function setWakingHours(
  db: CommonQueryMethods,
  userId: number,
  hours: WakingHours | null,
): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE users SET waking_start = ${hours?.start ?? null}, waking_end = ${hours?.end ?? null}
    WHERE id = ${userId}`);
}

/** A person's own waking hours, for /profile; /delete forgets them. */
export interface PersonalHours extends UserDataOwner {
  /** Their waking hours and whether they chose them (else the service's). */
  get(userId: number): Promise<{ hours: WakingHours; own: boolean }>;
  set(userId: number, hours: WakingHours | null): Promise<void>;
}

export function createPersonalHours(deps: {
  db: CommonQueryMethods;
  fallback: WakingHours;
}): PersonalHours {
  return {
    async get(userId) {
      const sleeper = await sleeperOf(deps.db, userId, deps.fallback);
      return sleeper ?? { hours: deps.fallback, own: false };
    },
    set: (userId, hours) => setWakingHours(deps.db, userId, hours),
    forgetUserRows: (tx, user) => setWakingHours(tx, user.id, null),
  };
}

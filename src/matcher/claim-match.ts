import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { utcOffsetMinutes } from '../time/waking-hours.js';

/** Who looks for a partner: a waiting user's side of the candidate query. */
export interface Seeker {
  userId: number;
  topicIds: readonly number[];
  utcOffsetMin: number;
}

/** A proposal just claimed in PostgreSQL; the caller spawns its actor. */
export interface ClaimedMatch {
  matchId: number;
  userA: number;
  userB: number;
  requeuesA: number;
  requeuesB: number;
  expiresAt: number;
  /** Requests (epoch ms) of searches that got their first proposal now: time-to-proposal. */
  firstProposalOf: number[];
}

export type SearchOutcome =
  | { kind: 'skipped'; reason: 'unknown' | 'not_queued' | 'ineligible'; matchId?: number }
  | { kind: 'waiting' }
  | { kind: 'matched'; match: ClaimedMatch };

/** The user is still held by a proposal or chat that is being closed; try again shortly. */
export class UserStillEngagedError extends Error {
  constructor(userId: number) {
    super(`user ${userId} is still engaged`);
    this.name = 'UserStillEngagedError';
  }
}

export interface ClaimOptions {
  proposalTtlMs: number;
  wakingMinutes: number;
  /**
   * Observes the duration of each candidate query, in ms (sql_match_select_ms): measured in
   * PostgreSQL for the claim's own query, from the client for the second chance's.
   */
  onSelect?: (ms: number) => void;
}

const claimedRow = z.object({
  match_id: z.number().nullable(),
  expires_ms: z.number().nullable(),
  requeues_a: z.number().nullable(),
  requeues_b: z.number().nullable(),
  first_requested_ms: z.array(z.number()).nullable(),
});

export const processRow = claimedRow.extend({
  kind: z.enum(['unknown', 'not_queued', 'ineligible', 'engaged', 'tz', 'matched', 'waiting']),
  user_id: z.number().nullable(),
  partner_id: z.number().nullable(),
  topic_ids: z.array(z.number()).nullable(),
  tz: z.string().nullable(),
  select_ms: z.number().nullable(),
});

const secondChanceRow = claimedRow.extend({
  kind: z.enum(['waiting', 'matched', 'not_queued', 'retry']),
  partner_id: z.number().nullable(),
  select_ms: z.number().nullable(),
});

export function claimed(
  row: z.infer<typeof claimedRow>,
  userA: number,
  userB: number,
): ClaimedMatch {
  return {
    matchId: row.match_id!,
    userA,
    userB,
    requeuesA: row.requeues_a ?? 0,
    requeuesB: row.requeues_b ?? 0,
    expiresAt: row.expires_ms!,
    firstProposalOf: row.first_requested_ms ?? [],
  };
}

/** What the stream entry says about the request; saves a round trip when still current. */
export interface SearchHint {
  /** The requester's time zone when the request was made. */
  tz?: string;
}

/**
 * Handles one match.find request: finds the best waiting partner and claims both users and
 * the proposal in one transaction, or puts the requester into the waiting pool. Idempotent
 * per search: only a search still `queued` is acted on, under a row lock. The transaction
 * is one call of match_process_search (src/db/functions): a single round trip.
 * @throws UserStillEngagedError when the requester's previous proposal is still closing.
 */
export async function processSearch(
  db: DatabasePool,
  searchId: string,
  options: ClaimOptions,
  hint: SearchHint = {},
): Promise<SearchOutcome> {
  let tz = hint.tz ?? null;
  // The zone's offset comes from the runtime's zone data (as everywhere else), so the call
  // names the zone it computed it for; when the user changed zone since, it says so.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const row = await db.one(sql.type(processRow)`
      SELECT kind, match_id, user_id, partner_id, requeues_a, requeues_b, first_requested_ms,
             topic_ids, tz, select_ms, expires_ms
      FROM match_process_search(${searchId}, ${tz}, ${tz === null ? 0 : safeOffset(tz)},
                                ${options.wakingMinutes}, ${options.proposalTtlMs})`);
    switch (row.kind) {
      case 'tz':
        tz = row.tz;
        continue;
      case 'unknown':
        return { kind: 'skipped', reason: 'unknown' };
      case 'not_queued':
        return row.match_id === null
          ? { kind: 'skipped', reason: 'not_queued' }
          : { kind: 'skipped', reason: 'not_queued', matchId: row.match_id };
      case 'ineligible':
        return { kind: 'skipped', reason: 'ineligible' };
      case 'engaged':
        throw new UserStillEngagedError(row.user_id!);
      case 'matched':
        options.onSelect?.(row.select_ms ?? 0);
        return { kind: 'matched', match: claimed(row, row.user_id!, row.partner_id!) };
      case 'waiting':
        options.onSelect?.(row.select_ms ?? 0);
        return secondChance(
          db,
          {
            userId: row.user_id!,
            searchId,
            topicIds: row.topic_ids ?? [],
            utcOffsetMin: tz === null ? 0 : safeOffset(tz),
          },
          options,
        );
    }
  }
  throw new Error(`search ${searchId}: the user's time zone keeps changing`);
}

/** Each retry means someone else claimed the candidate, so the loop always makes progress. */
const SECOND_CHANCE_ATTEMPTS = 10;

/**
 * Two requests that arrive together can each miss the other: neither sees the other's
 * uncommitted pool row. After joining the pool, look once more with committed data and claim
 * (match_second_chance: select, lock both rows in user-id order, check, claim, in one
 * transaction).
 */
export async function secondChance(
  db: DatabasePool,
  seeker: Seeker & { searchId: string },
  options: ClaimOptions,
): Promise<SearchOutcome> {
  for (let attempt = 0; attempt < SECOND_CHANCE_ATTEMPTS; attempt += 1) {
    const row = await db.one(sql.type(secondChanceRow)`
      SELECT kind, match_id, partner_id, requeues_a, requeues_b, first_requested_ms, select_ms,
             expires_ms
      FROM match_second_chance(${seeker.userId}, ${seeker.searchId},
                               ${sql.array([...seeker.topicIds], 'int4')}, ${seeker.utcOffsetMin},
                               ${options.wakingMinutes}, ${options.proposalTtlMs})`);
    options.onSelect?.(row.select_ms ?? 0);
    if (row.kind === 'retry') continue;
    if (row.kind === 'waiting') return { kind: 'waiting' };
    if (row.kind === 'not_queued') return { kind: 'skipped', reason: 'not_queued' };
    return {
      kind: 'matched',
      match: claimed(row, seeker.userId, row.partner_id!),
    };
  }
  return { kind: 'waiting' };
}

const offsets = new Map<string, { minute: number; offset: number }>();

/**
 * The zone's UTC offset now, 0 for an unknown zone. Intl is slow enough to show in a
 * profile, and offsets change only on whole minutes, so one reading per zone per minute is
 * exact.
 */
export function safeOffset(timeZone: string): number {
  const minute = Math.floor(Date.now() / 60_000);
  const cached = offsets.get(timeZone);
  if (cached?.minute === minute) return cached.offset;
  let offset = 0;
  try {
    offset = utcOffsetMinutes(timeZone);
  } catch {
    // an unknown zone counts as UTC, as before
  }
  if (offsets.size > 1_000) offsets.clear();
  offsets.set(timeZone, { minute, offset });
  return offset;
}

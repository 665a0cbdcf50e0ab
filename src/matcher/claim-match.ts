import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { selectCandidate, type Candidate, type Seeker } from './select-candidate.js';
import { utcOffsetMinutes } from './score.js';

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
  /** Observes the duration of each candidate query, in ms (sql_match_select_ms). */
  onSelect?: (ms: number) => void;
}

const seekerRow = z.object({
  id: z.string(),
  user_id: z.number(),
  state: z.string(),
  match_id: z.number().nullable(),
  requested_at: z.date(),
  tz: z.string(),
  helpfulness: z.number(),
  eligible: z.boolean(),
  topic_ids: z.array(z.number()),
  engaged: z.boolean(),
});

const poolRow = z.object({ user_id: z.number(), search_id: z.string() });

/** Each retry means someone else claimed the candidate, so the loop always makes progress. */
const SECOND_CHANCE_ATTEMPTS = 10;

/** Leftover pool rows skipped in one transaction before the requester just joins the pool. */
const STALE_CANDIDATE_ATTEMPTS = 3;

const claimedSearch = z.object({
  requested_at: z.date(),
  requeue_count: z.number(),
  user_id: z.number(),
  first: z.boolean(),
});

async function timed<T>(options: ClaimOptions, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    options.onSelect?.(performance.now() - started);
  }
}

async function claim(
  tx: CommonQueryMethods,
  seeker: Seeker & { searchId: string },
  candidate: Candidate,
  options: ClaimOptions,
): Promise<ClaimedMatch> {
  await tx.query(sql.unsafe`
    DELETE FROM waiting_pool WHERE user_id IN (${seeker.userId}, ${candidate.user_id})`);
  const expiresAt = new Date(Date.now() + options.proposalTtlMs);
  const matchId = await tx.oneFirst(sql.type(z.object({ id: z.number() }))`
    INSERT INTO matches (user_a, user_b, search_a, search_b, score, shared_count,
                         shared_topic_ids, expires_at, requeue_count)
    SELECT ${seeker.userId}, ${candidate.user_id}, ${seeker.searchId}, ${candidate.search_id},
           least(1, greatest(0, ${candidate.score}::float8)), ${candidate.shared_topic_ids.length},
           ${sql.array(candidate.shared_topic_ids, 'int4')}, ${sql.timestamp(expiresAt)},
           coalesce((SELECT max(requeue_count) FROM searches
                     WHERE id IN (${seeker.searchId}, ${candidate.search_id})), 0)
    RETURNING id`);
  // The primary key of engagements is what makes double booking impossible, whatever the
  // callers did: a second live proposal for either user fails here and rolls back.
  await tx.query(sql.unsafe`
    INSERT INTO engagements (user_id, match_id, kind)
    VALUES (${seeker.userId}, ${matchId}, 'proposal'), (${candidate.user_id}, ${matchId}, 'proposal')`);
  const searches = await tx.any(sql.type(claimedSearch)`
    UPDATE searches SET state = 'proposed', match_id = ${matchId},
           first_proposed_at = coalesce(first_proposed_at, now())
    WHERE id IN (${seeker.searchId}, ${candidate.search_id})
    RETURNING requested_at, requeue_count, user_id, first_proposed_at = now() AS first`);
  const of = (userId: number) => searches.find((row) => row.user_id === userId);
  return {
    matchId,
    userA: seeker.userId,
    userB: candidate.user_id,
    requeuesA: of(seeker.userId)?.requeue_count ?? 0,
    requeuesB: of(candidate.user_id)?.requeue_count ?? 0,
    expiresAt: expiresAt.getTime(),
    firstProposalOf: searches.filter((row) => row.first).map((row) => row.requested_at.getTime()),
  };
}

/**
 * Locks the candidate's search (the pool row is already locked: the same order as every other
 * writer) and checks it is still waiting. A pool row whose search has ended is a leftover of a
 * writer that raced a matcher; it is dropped here, so that it cannot fail claim after claim.
 */
async function stillWaiting(tx: CommonQueryMethods, candidate: Candidate): Promise<boolean> {
  const open = await tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    SELECT id FROM searches WHERE id = ${candidate.search_id} AND state = 'waiting' FOR UPDATE`);
  if (open !== null) return true;
  await tx.query(sql.unsafe`
    DELETE FROM waiting_pool
    WHERE user_id = ${candidate.user_id} AND search_id = ${candidate.search_id}`);
  return false;
}

/**
 * Handles one match.find request: finds the best waiting partner and claims both users and
 * the proposal in one transaction, or puts the requester into the waiting pool. Idempotent
 * per search: only a search still `queued` is acted on, under a row lock.
 * @throws UserStillEngagedError when the requester's previous proposal is still closing.
 */
export async function processSearch(
  db: DatabasePool,
  searchId: string,
  options: ClaimOptions,
): Promise<SearchOutcome> {
  const first = await db.transaction(async (tx): Promise<SearchOutcome | Seeker> => {
    const row = await tx.maybeOne(sql.type(seekerRow)`
      SELECT s.id, s.user_id, s.state, s.match_id, s.requested_at, u.tz, u.helpfulness,
             (u.deleted_at IS NULL AND u.suspended_at IS NULL AND u.bot_blocked_at IS NULL
              AND u.rules_accepted_at IS NOT NULL) AS eligible,
             array(SELECT topic_id FROM user_topics WHERE user_id = u.id ORDER BY topic_id) AS topic_ids,
             EXISTS (SELECT 1 FROM engagements e WHERE e.user_id = u.id) AS engaged
      FROM searches s JOIN users u ON u.id = s.user_id
      WHERE s.id = ${searchId}
      FOR UPDATE OF s`);
    if (!row) return { kind: 'skipped', reason: 'unknown' };
    if (row.state === 'proposed' && row.match_id !== null) {
      return { kind: 'skipped', reason: 'not_queued', matchId: row.match_id };
    }
    if (row.state !== 'queued') return { kind: 'skipped', reason: 'not_queued' };
    if (!row.eligible || row.topic_ids.length < 2) {
      await tx.query(sql.unsafe`
        UPDATE searches SET state = 'ended', ended_at = now(), end_reason = 'ineligible'
        WHERE id = ${searchId}`);
      return { kind: 'skipped', reason: 'ineligible' };
    }
    if (row.engaged) throw new UserStillEngagedError(row.user_id);
    const seeker = {
      userId: row.user_id,
      searchId: row.id,
      topicIds: row.topic_ids,
      utcOffsetMin: safeOffset(row.tz),
    };
    for (let attempt = 0; attempt < STALE_CANDIDATE_ATTEMPTS; attempt += 1) {
      const candidate = await timed(options, () =>
        selectCandidate(tx, seeker, options.wakingMinutes, true),
      );
      if (!candidate) break;
      if (await stillWaiting(tx, candidate)) {
        return { kind: 'matched', match: await claim(tx, seeker, candidate, options) };
      }
    }
    await tx.query(sql.unsafe`
      INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at)
      VALUES (${seeker.userId}, ${seeker.searchId}, ${sql.array(seeker.topicIds, 'int4')},
              ${seeker.utcOffsetMin}, ${row.helpfulness}, ${sql.timestamp(row.requested_at)})
      ON CONFLICT (user_id) DO UPDATE SET search_id = excluded.search_id,
        topic_ids = excluded.topic_ids, utc_offset_min = excluded.utc_offset_min,
        helpfulness = excluded.helpfulness, requested_at = excluded.requested_at,
        joined_at = now()`);
    await tx.query(sql.unsafe`UPDATE searches SET state = 'waiting' WHERE id = ${searchId}`);
    return seeker;
  });
  if ('kind' in first) return first;
  return secondChance(db, { ...first, searchId }, options);
}

/**
 * Two requests that arrive together can each miss the other: neither sees the other's
 * uncommitted pool row. After joining the pool, look once more with committed data, then
 * lock both rows in user-id order (waiting, not skipping, so two such retries cannot skip
 * each other) and claim them if both still hold the searches that were selected, all in one
 * transaction. A candidate that vanished meanwhile was claimed by someone else: look again.
 */
async function secondChance(
  db: DatabasePool,
  seeker: Seeker & { searchId: string },
  options: ClaimOptions,
): Promise<SearchOutcome> {
  for (let attempt = 0; attempt < SECOND_CHANCE_ATTEMPTS; attempt += 1) {
    const outcome = await db.transaction(async (tx): Promise<SearchOutcome | 'retry'> => {
      const candidate = await timed(options, () =>
        selectCandidate(tx, seeker, options.wakingMinutes, false),
      );
      if (!candidate) return { kind: 'waiting' };
      const ids = [seeker.userId, candidate.user_id].sort((a, b) => a - b);
      const present = await tx.any(sql.type(poolRow)`
        SELECT user_id, search_id FROM waiting_pool WHERE user_id IN (${ids[0]!}, ${ids[1]!})
        ORDER BY user_id FOR UPDATE`);
      const searchOf = (userId: number) => present.find((row) => row.user_id === userId)?.search_id;
      if (searchOf(seeker.userId) !== seeker.searchId) {
        return { kind: 'skipped', reason: 'not_queued' };
      }
      // Gone, or back in the pool with a newer search than the one selected.
      if (searchOf(candidate.user_id) !== candidate.search_id) return 'retry';
      if (!(await stillWaiting(tx, candidate))) return 'retry';
      return { kind: 'matched', match: await claim(tx, seeker, candidate, options) };
    });
    if (outcome !== 'retry') return outcome;
  }
  return { kind: 'waiting' };
}

function safeOffset(timeZone: string): number {
  try {
    return utcOffsetMinutes(timeZone);
  } catch {
    return 0;
  }
}

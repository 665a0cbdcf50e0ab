import { sql, type DatabasePool } from 'slonik';
import type { UserDataOwner } from '../erasure/user-data.js';
import type { SearchService } from './search-service.js';

export interface StandingServiceDeps {
  db: DatabasePool;
  searches: Pick<SearchService, 'find' | 'cancel'>;
  /** STANDING_REQUEST_HOURS. */
  hours: number;
  /** STANDING_PROPOSAL_TTL_SECONDS, in ms. */
  proposalTtlMs: number;
  /** WAKING_HOURS: the hours of someone who has not set their own. */
  wakingHours: { start: number; end: number };
}

/**
 * "Keep looking and notify me": after a search found nobody, a search that stands for hours.
 * It is an ordinary search (so the matcher, /cancel, pause and /delete treat it as one) plus a
 * standing_requests row that makes the matcher skip its person at night (standing_asleep), a
 * proposal to them wait longer (match_claim) and the sweeper end it at its own time.
 */
export interface StandingService extends Required<Pick<UserDataOwner, 'forgetUserRows'>> {
  /**
   * Starts a search for `userId` (or keeps the one running) and makes it stand.
   * @throws AppError as SearchService.find does (paused, suspended, busy ...).
   */
  start(userId: number): Promise<{ hours: number }>;
  /** Ends the person's standing request with their search (/cancel does the same). */
  stop(userId: number): Promise<{ cancelled: boolean }>;
}

export function createStandingService(deps: StandingServiceDeps): StandingService {
  const { db } = deps;
  return {
    async start(userId) {
      await deps.searches.find(userId);
      // The search open now, the new one or the one already running. Should the matcher have
      // proposed someone in between, the row still applies if the proposal comes to nothing.
      await db.query(sql.unsafe`
        INSERT INTO standing_requests
          (search_id, user_id, until, default_start, default_end, proposal_ttl_ms)
        SELECT id, user_id, now() + make_interval(secs => ${deps.hours * 3600}),
               ${deps.wakingHours.start % 24}, ${deps.wakingHours.end || 24}, ${deps.proposalTtlMs}
        FROM searches
        WHERE user_id = ${userId} AND state IN ('queued', 'waiting', 'proposed')
        ON CONFLICT (search_id) DO NOTHING`);
      return { hours: deps.hours };
    },
    stop: (userId) => deps.searches.cancel(userId),
    async forgetUserRows(tx, user) {
      await tx.query(sql.unsafe`DELETE FROM standing_requests WHERE user_id = ${user.id}`);
    },
  };
}

import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MatchProducer } from '../streams/match-producer.js';
import type { ProposalRuntime } from '../proposals/proposal-runtime.js';
import type { ProposalStatus } from '../proposals/proposal-status.js';
import { startOne, type StartSearch } from './search-start-batcher.js';
import { withdrawFromMatching } from '../db/queries/searches.js';
import { settleSkipNotice } from '../db/queries/matches.js';
import type { UserDataOwner } from '../erasure/user-data.js';

export interface SearchServiceDeps {
  db: DatabasePool;
  producer: MatchProducer;
  runtime: ProposalRuntime;
  metrics: Metrics;
  /** search_start for one request; grouped with others by createSearchStartBatcher in the app. */
  start?: StartSearch;
}

export interface FindResult {
  queued: true;
  already?: true;
  /** The new search; absent when one was already running. */
  searchId?: string;
}

export type ConfirmAction = 'accept' | 'decline';

/**
 * What "Find a partner", "Cancel" and the proposal buttons do. The bot and the HTTP API
 * both call these; neither goes around them.
 */
export interface SearchService extends Required<Pick<UserDataOwner, 'forgetUserRows'>> {
  /**
   * Starts a search for `userId`.
   * @throws AppError not_found, profile_incomplete, suspended, forbidden (the user has blocked
   * the bot), paused, busy, unavailable.
   */
  find(userId: number): Promise<FindResult>;
  /** True while the search is still looking for a partner (queued or in the waiting pool). */
  isOpen(searchId: string): Promise<boolean>;
  /** How `userId` learns that the partner skipped `matchId`: see settleSkipNotice. */
  settleSkipNotice(userId: number, matchId: number): Promise<'edit' | 'dropped'>;
  /**
   * Stops the user's search if it is queued or waiting.
   * @throws AppError busy when a proposal is open: it must be answered or skipped.
   */
  cancel(userId: number): Promise<{ cancelled: boolean }>;
  /**
   * Accepts or declines a proposal through its actor.
   * @throws AppError not_found for an unknown match, forbidden for a non-participant.
   */
  confirm(matchId: number, userId: number, action: ConfirmAction): Promise<ProposalStatus>;
}

export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { db, metrics } = deps;
  const count = (outcome: string) => metrics.findRequests.labels(outcome).inc();
  const start = deps.start ?? startOne(db);

  return {
    async find(userId) {
      const id = randomUUID();
      // One statement (search_start in src/db/functions), shared with the requests that
      // arrive at the same moment: who may search and the new search.
      const started = await start(userId, id);
      if (started.outcome !== 'queued') count(started.outcome);
      switch (started.outcome) {
        case 'not_found':
          throw new AppError('not_found', `user ${userId} does not exist`);
        case 'profile_incomplete':
          throw new AppError(
            'profile_incomplete',
            'the profile needs at least 2 topics and accepted rules',
          );
        case 'suspended':
          throw new AppError('suspended', 'this account is suspended from matching');
        case 'bot_blocked':
          throw new AppError(
            'forbidden',
            'the user has blocked the bot; they can search again once they write to it',
          );
        case 'paused':
          throw new AppError('paused', 'the user paused matching (/pause); /resume ends it');
        case 'busy':
          throw new AppError('busy', 'the user is in a proposal or a chat');
        case 'already':
          return { queued: true, already: true };
        case 'queued':
          break;
      }
      // After the commit, so the matcher never reads an entry whose search it cannot see.
      try {
        await deps.producer.enqueue({
          request_id: id,
          user_id: userId,
          topics: started.topic_ids ?? [],
          tz: started.tz ?? '',
          requested_at: started.requested_at!.getTime(),
        });
      } catch (error) {
        // Undo, so the user is not left "searching" with nothing in the queue. Should this
        // fail too, the reconciler re-announces searches that stay queued.
        await db
          .query(sql.unsafe`DELETE FROM searches WHERE id = ${id} AND state = 'queued'`)
          .catch(() => undefined);
        count('unavailable');
        throw error instanceof AppError
          ? error
          : new AppError(
              'unavailable',
              'the matching queue is unavailable; try again shortly',
              undefined,
              { cause: error },
            );
      }
      count('queued');
      return { queued: true, searchId: id };
    },

    async isOpen(searchId) {
      const state = await db.maybeOneFirst(sql.type(z.object({ state: z.string() }))`
        SELECT state FROM searches WHERE id = ${searchId}`);
      return state === 'queued' || state === 'waiting';
    },

    settleSkipNotice: (userId, matchId) => settleSkipNotice(db, userId, matchId),

    async cancel(userId) {
      // One statement (search_cancel), retried as a whole if PostgreSQL breaks a deadlock.
      const outcome = await db.oneFirst(
        sql.type(z.object({ outcome: z.enum(['none', 'busy', 'cancelled']) }))`
          SELECT search_cancel(${userId}) AS outcome`,
      );
      if (outcome === 'busy')
        throw new AppError('busy', 'a proposal is open: accept or skip it first');
      return { cancelled: outcome === 'cancelled' };
    },

    async confirm(matchId, userId, action) {
      // The runtime refuses a stranger before anything else, a decided status included.
      const result = await deps.runtime.send(
        matchId,
        action === 'accept'
          ? { type: 'proposal.accept', userId }
          : { type: 'proposal.decline', userId },
      );
      return result.status;
    },

    /** An erased user's searches end, they leave the pool and hold nobody busy any more. */
    async forgetUserRows(tx, user) {
      await withdrawFromMatching(tx, user.id, 'deleted');
      await tx.query(sql.unsafe`DELETE FROM engagements WHERE user_id = ${user.id}`);
      await tx.query(sql.unsafe`
        UPDATE searches SET state = 'cancelled', ended_at = now(), end_reason = 'deleted'
        WHERE user_id = ${user.id} AND state IN ('queued', 'waiting', 'proposed')`);
    },
  };
}

import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import type { RedisClient } from '../redis/client.js';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis/keys.js';
import type { ProposalRuntime } from './proposal-runtime.js';
import type { ProposalTimers } from './proposal-timers.js';
import type { DurableProposal } from './proposal-durable.js';
import { toEffects, type EffectExecutor } from './proposal-outbox.js';
import { replayDecision } from './proposal-snapshot.js';

export interface ReconcilerDeps {
  db: DatabasePool;
  redis: RedisClient;
  keys: RedisKeys;
  runtime: ProposalRuntime;
  timers: ProposalTimers;
  /** The proposal as PostgreSQL knows it, and the effect runner, for settling orphans. */
  loadDurable: (matchId: number) => Promise<DurableProposal | null>;
  execute: EffectExecutor;
  /** A decision younger than this is still being carried out by the process that made it. */
  graceMs: number;
  /**
   * A timer still waiting this long after its proposal's deadline is not going to fire (its
   * worker is wedged, say on a connection a failover left behind): the reconciler expires the
   * proposal itself. The timer, if it fires later, finds the proposal decided.
   */
  timerOverdueMs: number;
  log: Logger;
  batchSize?: number;
  now?: () => number;
}

export interface ReconcileReport {
  checked: number;
  expired: number;
  rebuilt: number;
  timersRestored: number;
}

const openRow = z.object({ id: z.number(), expires_at: z.date() });
const orphanRow = z.object({ id: z.number(), status: z.enum(['declined', 'expired']) });
type OpenProposal = z.infer<typeof openRow>;

/**
 * Every open proposal, read through the partial index on open matches. Their number is
 * bounded (each holds two users for at most the TTL), so one read is cheaper than paging.
 */
function listOpenProposals(db: CommonQueryMethods): Promise<readonly OpenProposal[]> {
  return db.any(sql.type(openRow)`
    SELECT id, expires_at FROM matches WHERE status = 'proposed' ORDER BY expires_at`);
}

/**
 * Compares PostgreSQL's open proposals with Redis and repairs the difference, so a lost
 * snapshot or timer (a crash, an eviction, a FLUSHALL) never leaves users stuck:
 * - past its deadline with no snapshot or no timer, or with a timer that is overdue: expired
 *   through the runtime;
 * - not yet due with no snapshot: snapshot rebuilt (which also re-arms the timer);
 * - not yet due with a snapshot but no timer: timer re-armed.
 */
export function createReconciler(deps: ReconcilerDeps) {
  const now = deps.now ?? Date.now;
  const batchSize = deps.batchSize ?? 500;

  async function reconcilePage(
    open: readonly OpenProposal[],
    report: ReconcileReport,
  ): Promise<void> {
    // Sent together but one command per record: on a cluster the records lie in many slots,
    // which one pipeline cannot span.
    const exists = await Promise.all(
      open.map((match) => deps.redis.exists(deps.keys.proposal(match.id))),
    );
    for (const [index, match] of open.entries()) {
      report.checked += 1;
      try {
        const hasRecord = exists[index] === 1;
        const hasTimer = await deps.timers.isPending(match.id);
        const late = now() - match.expires_at.getTime();
        if (late >= 0) {
          if (hasRecord && hasTimer && late < deps.timerOverdueMs) continue; // about to fire
          const result = await deps.runtime.send(match.id, { type: 'proposal.expire', at: now() });
          if (result.changed) report.expired += 1;
        } else if (!hasRecord) {
          if (await deps.runtime.ensure(match.id)) report.rebuilt += 1;
        } else if (!hasTimer) {
          await deps.timers.schedule(match.id, match.expires_at.getTime());
          report.timersRestored += 1;
        }
      } catch (error) {
        deps.log.error({ err: error, matchId: match.id }, 'reconcile failed for a proposal');
      }
    }
  }

  /** Checks every open proposal (not just a first batch), so none waits for a later sweep. */
  async function reconcileProposals(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, expired: 0, rebuilt: 0, timersRestored: 0 };
    const open = await listOpenProposals(deps.db);
    for (let start = 0; start < open.length; start += batchSize) {
      await reconcilePage(open.slice(start, start + batchSize), report);
    }
    if (report.expired || report.rebuilt || report.timersRestored) {
      deps.log.warn(report, 'reconciler repaired proposals');
    }
    return report;
  }

  /**
   * Finishes decisions whose effects Redis lost: a match PostgreSQL has declined or expired
   * while a search still waits for it (state proposed), so its user would stay busy. The
   * decision's effects run again from PostgreSQL's record; each is idempotent.
   */
  async function settleOrphans(): Promise<number> {
    const orphans = await deps.db.any(sql.type(orphanRow)`
      SELECT DISTINCT m.id, m.status FROM searches s JOIN matches m ON m.id = s.match_id
      WHERE s.state = 'proposed' AND m.status IN ('declined', 'expired')
        AND m.decided_at < now() - make_interval(secs => ${deps.graceMs / 1000})`);
    for (const orphan of orphans) {
      try {
        const durable = await deps.loadDurable(orphan.id);
        const actions = durable && replayDecision(durable.context, orphan.status);
        for (const effect of toEffects(0, actions ?? [])) await deps.execute(orphan.id, effect);
      } catch (error) {
        deps.log.error({ err: error, matchId: orphan.id }, 'settling a decided proposal failed');
      }
    }
    if (orphans.length) deps.log.warn({ count: orphans.length }, 'settled decided proposals');
    return orphans.length;
  }

  return { reconcileProposals, settleOrphans };
}

export type Reconciler = ReturnType<typeof createReconciler>;

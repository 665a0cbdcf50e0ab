import type { Logger } from '../logger.js';
import type { LossMarker } from '../redis/loss-marker.js';
import type { Reconciler } from '../proposals/reconciler.js';
import type { SearchSweeper } from '../searches/search-sweeper.js';
import type { ChatService } from '../chats/chat-service.js';

export interface RedisLossRepairDeps {
  marker: LossMarker;
  reconciler: Reconciler;
  searchSweeper: Pick<SearchSweeper, 'reannounceAllQueued'>;
  chats: Pick<ChatService, 'rearmIdleTimers' | 'rearmAllIdleTimers' | 'resendIntros'>;
  log: Logger;
}

/**
 * The periodic repair of what Redis holds from what PostgreSQL records. Every sweep compares
 * open proposals with their records and timers, settles decisions whose effects were lost,
 * and re-arms the idlest chats' timers. When the loss marker is gone, Redis lost everything
 * at once (the match.find stream, the proposal records, the timers and the outbound queue),
 * so the same sweep also re-announces every queued search, re-arms every chat's timer, and
 * queues again each chat intro that never arrived. Proposal cards come back with their
 * rebuilt records (a rebuild replays the proposal's creation, messages included).
 */
export function createRedisLossRepair(deps: RedisLossRepairDeps) {
  const { log } = deps;

  async function repairLoss(): Promise<void> {
    const searches = await deps.searchSweeper.reannounceAllQueued();
    await deps.reconciler.reconcileProposals();
    await deps.reconciler.settleOrphans();
    const chats = await deps.chats.rearmAllIdleTimers();
    await deps.chats.resendIntros();
    // A first start on a new Redis looks the same as a loss; only a repair that found open
    // searches or chats is worth an operator's attention.
    const level = searches + chats > 0 ? 'warn' : 'info';
    log[level]({ searches, chats }, 'repaired from PostgreSQL after Redis lost its data');
  }

  return {
    /** One sweep; resolves with whether it found Redis emptied (and repaired it). */
    async sweep(): Promise<{ lost: boolean }> {
      const lost = await deps.marker.takeLoss();
      if (!lost) {
        await deps.reconciler.reconcileProposals();
        await deps.reconciler.settleOrphans();
        await deps.chats.rearmIdleTimers();
        return { lost };
      }
      log.info('Redis holds no repair marker (it lost its data, or this is its first use)');
      try {
        await repairLoss();
      } catch (error) {
        // Unfinished: the next sweep must see the loss again and repair from the start.
        await deps.marker.restore().catch(() => undefined);
        throw error;
      }
      return { lost };
    },
  };
}

export type RedisLossRepair = ReturnType<typeof createRedisLossRepair>;

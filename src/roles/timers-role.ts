import { QUEUE_NAMES } from '../redis/keys.js';
import { createProposalTimerProcessor } from '../proposals/proposal-timers.js';
import type { ChatIdleData } from '../chats/chat-timers.js';
import { periodic, workerOf, type RoleFactory } from './role.js';
import { createWakeHoldProcessor, type WakeHoldData } from '../time/wake-hold.js';

/**
 * The timers role: proposal expiry and chat idle jobs, and the periodic repairs (the
 * reconciler with the repair after a Redis loss, the effect sweeper, the search sweeper).
 */
export const timersRole: RoleFactory = ({ resources, core }) => {
  const { config } = resources;
  const sweepMs = config.SWEEP_INTERVAL_SECONDS * 1000;
  const effectSweepMs = Math.min(sweepMs, config.EFFECT_SWEEP_INTERVAL_SECONDS * 1000);
  return {
    routers: [],
    components: [
      workerOf(resources, QUEUE_NAMES.proposalTimers, createProposalTimerProcessor(core.runtime), {
        concurrency: config.PROPOSAL_TIMER_CONCURRENCY,
      }),
      workerOf<ChatIdleData>(
        resources,
        QUEUE_NAMES.chatTimers,
        (job, token) => core.chats.processIdle(job, token),
        { concurrency: config.CHAT_TIMER_CONCURRENCY },
      ),
      workerOf<WakeHoldData>(
        resources,
        QUEUE_NAMES.wakeHolds,
        createWakeHoldProcessor({
          db: resources.db,
          wakingHours: config.WAKING_HOURS,
          handlers: {
            'again.invite': ({ fromUserId, toUserId }) =>
              core.again.deliverHeld(fromUserId, toUserId),
          },
        }),
        { concurrency: 4 },
      ),
      periodic(resources, 'reconciler', sweepMs, () => core.recovery.sweep()),
      periodic(resources, 'effect sweeper', effectSweepMs, () => core.effectSweeper.sweep()),
      periodic(resources, 'search sweeper', sweepMs, async () => {
        await core.searchSweeper.expireSearches();
        await core.searchSweeper.reannounceStuck();
      }),
    ],
  };
};

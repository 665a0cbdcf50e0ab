import { QUEUE_NAMES } from '../redis/keys.js';
import { createProposalTimerProcessor } from '../proposals/proposal-timers.js';
import type { ChatIdleData } from '../chats/chat-timers.js';
import type { PauseEndData } from '../pauses/pause-service.js';
import { periodic, workerOf, type RoleFactory } from './role.js';
import { createWakeHoldProcessor, type WakeHoldData } from '../time/wake-hold.js';

/** The pause sweeper leaves a pause this long past its end to its own job. */
const PAUSE_SWEEP_GRACE_MS = 60_000;

/**
 * The timers role: proposal expiry, chat idle and pause end jobs, and the periodic repairs
 * (the reconciler with the repair after a Redis loss, the effect sweeper, the search sweeper,
 * the pause sweeper).
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
            notice: ({ userId, notice }) => core.notifier.notify(userId, notice),
          },
        }),
        { concurrency: 4 },
      ),
      periodic(resources, 'reconciler', sweepMs, () => core.recovery.sweep()),
      periodic(resources, 'effect sweeper', effectSweepMs, () => core.effectSweeper.sweep()),
      periodic(resources, 'search sweeper', sweepMs, async () => {
        await core.searchSweeper.expireSearches();
        await core.searchSweeper.reannounceStuck();
        await core.searchSweeper.wakeStanding();
      }),
      workerOf<PauseEndData>(
        resources,
        QUEUE_NAMES.pauseTimers,
        (job) => core.pauses.processEnd(job),
        {},
      ),
      // A pause whose job was lost with Redis still ends on time for matching; this says so.
      periodic(resources, 'pause sweeper', sweepMs, () =>
        core.pauses.endOverdue(Math.max(sweepMs, PAUSE_SWEEP_GRACE_MS)),
      ),
    ],
  };
};

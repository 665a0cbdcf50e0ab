import type { Job, Queue } from 'bullmq';
import type { Metrics } from '../metrics/metrics.js';
import type { OutboundMessage } from './outbound-message.js';
import type { Outbound } from './outbound-queue.js';
import { createDelayedJobs } from '../queues/delayed-jobs.js';

const HELD_JOB = 'outbound.held';
/** Every job state that still holds a message. */
const JOB_STATES = ['waiting', 'delayed', 'prioritized', 'paused', 'active', 'failed'] as const;

/**
 * Messages not due yet wait here, not in the outbound queue. Every job the sender runs takes a
 * slot of its rate limiter, Telegram's budget, whether or not it ends in a call; most delayed
 * messages are "Looking for a partner…", which the proposal usually makes moot before it is
 * due. Held here, a moot one costs no slot, and its chat's pacing is reserved only when it
 * goes.
 */
export interface HeldMessages {
  /** Holds `message` until `notBefore`; holding a key already held changes nothing. */
  hold(message: OutboundMessage & { notBefore: number }): Promise<void>;
  /** Drops every message held for `chatId`: erasure. */
  forgetChat(chatId: number): Promise<void>;
}

export function createHeldMessages(queue: Queue<OutboundMessage>): HeldMessages {
  // Removed once released: the outbound job under the same key (kept a day) and
  // delivered_messages make a replay a no-op from then on, and a held job left behind would
  // keep the chat and the text after /delete.
  const jobs = createDelayedJobs<OutboundMessage>(queue, HELD_JOB, { removeOnComplete: true });
  return {
    hold: (message) => jobs.schedule(message.key, message.notBefore, message),
    async forgetChat(chatId) {
      for (const job of await queue.getJobs([...JOB_STATES])) {
        if (job?.data.chatId === chatId) await job.remove().catch(() => undefined);
      }
    },
  };
}

export interface HeldMessageReleaseDeps {
  outbound: Pick<Outbound, 'enqueue'>;
  /** Whether a search still looks for a partner (for `onlyWhileSearching`). */
  isSearchOpen: (searchId: string) => Promise<boolean>;
  /** Whether a skipped card is closed or the next card says it (for `skipNoticeOf`). */
  settleSkipNotice: (userId: number, matchId: number) => Promise<'edit' | 'dropped'>;
  metrics: Metrics;
}

/**
 * The held-message queue's job handler: a message now due goes to the outbound queue if it
 * is still wanted, and is dropped if not. The sender checks `onlyWhileSearching` once more
 * when it sends, for a proposal that comes in between; `skipNoticeOf` is settled here, once.
 */
export function createHeldMessageRelease(deps: HeldMessageReleaseDeps) {
  async function isWanted(message: OutboundMessage): Promise<boolean> {
    const { onlyWhileSearching: search, skipNoticeOf: skipped, userId } = message;
    if (search !== undefined && !(await deps.isSearchOpen(search))) return false;
    if (skipped === undefined) return true;
    // The notifier always names the recipient; without one there is nobody to settle it for.
    if (userId === undefined) throw new Error(`held skip notice ${message.key} has no userId`);
    return (await deps.settleSkipNotice(userId, skipped)) === 'edit';
  }

  return async (job: Job<OutboundMessage>): Promise<'queued' | 'dropped'> => {
    const { notBefore: _due, ...message } = job.data;
    const wanted = await isWanted(message);
    deps.metrics.outboundHeld.labels(wanted ? 'queued' : 'dropped').inc();
    if (!wanted) return 'dropped';
    await deps.outbound.enqueue(message);
    return 'queued';
  };
}

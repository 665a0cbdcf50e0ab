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
  /** Whether a new proposal came soon after a match was decided (for `unlessProposedAfter`). */
  hasProposalSoonAfter: (userId: number, matchId: number, withinMs: number) => Promise<boolean>;
  metrics: Metrics;
}

/**
 * The held-message queue's job handler: a message now due goes to the outbound queue if it
 * is still wanted, and is dropped if not. The sender checks `onlyWhileSearching` once more
 * when it sends, for a proposal that comes in between; `unlessProposedAfter` is settled here
 * for good, because its window has closed by the time the message is due.
 */
export function createHeldMessageRelease(deps: HeldMessageReleaseDeps) {
  async function isWanted(message: OutboundMessage): Promise<boolean> {
    const { onlyWhileSearching: search, unlessProposedAfter: after, userId } = message;
    if (search !== undefined && !(await deps.isSearchOpen(search))) return false;
    if (after === undefined || userId === undefined) return true;
    return !(await deps.hasProposalSoonAfter(userId, after.matchId, after.withinMs));
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

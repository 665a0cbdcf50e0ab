import { DelayedError, type Job } from 'bullmq';
import type { DelayedJobs } from '../queues/delayed-jobs.js';
import type { ProposalRuntime } from './proposal-runtime.js';

export interface ProposalTimerData {
  matchId: number;
  expiresAt: number;
}

/** BullMQ job ids cannot contain ':'. */
export const proposalTimerId = (matchId: number) => `proposal-expire-${matchId}`;

export interface ProposalTimers {
  schedule(matchId: number, expiresAt: number): Promise<void>;
  cancel(matchId: number): Promise<void>;
  isPending(matchId: number): Promise<boolean>;
}

export function createProposalTimers(jobs: DelayedJobs<ProposalTimerData>): ProposalTimers {
  return {
    schedule: (matchId, expiresAt) =>
      jobs.schedule(proposalTimerId(matchId), expiresAt, { matchId, expiresAt }),
    cancel: (matchId) => jobs.cancel(proposalTimerId(matchId)),
    isPending: (matchId) => jobs.isPending(proposalTimerId(matchId)),
  };
}

/**
 * The timers role's job handler: sends `proposal.expire` through the runtime. A job that
 * fires early (clock skew between hosts) goes back to sleep until the deadline instead of
 * being dropped, since the machine ignores an expiry that is not yet due.
 */
export function createProposalTimerProcessor(runtime: ProposalRuntime, now = Date.now) {
  return async (job: Job<ProposalTimerData>, token?: string): Promise<string> => {
    const { matchId, expiresAt } = job.data;
    if (now() < expiresAt) {
      await job.moveToDelayed(expiresAt, token);
      throw new DelayedError();
    }
    const result = await runtime.send(matchId, { type: 'proposal.expire', at: now() });
    return result.status;
  };
}

import type { DelayedJobs } from '../queues/delayed-jobs.js';

export interface ChatIdleData {
  matchId: number;
}

export const chatIdleTimerId = (matchId: number) => `chat-idle-${matchId}`;

export interface ChatTimers {
  /** Schedules the idle check of a chat; the check reschedules itself while the chat is active. */
  scheduleIdleCheck(matchId: number, atMs: number): Promise<void>;
  cancel(matchId: number): Promise<void>;
}

export function createChatTimers(jobs: DelayedJobs<ChatIdleData>): ChatTimers {
  return {
    scheduleIdleCheck: (matchId, atMs) =>
      jobs.schedule(chatIdleTimerId(matchId), atMs, { matchId }),
    cancel: (matchId) => jobs.cancel(chatIdleTimerId(matchId)),
  };
}

import { percentile } from '../sim-kit/percentile.js';

/** What the crowd observed, from the users' side: the sprint's acceptance figures. */
export interface FindRecord {
  at: number;
  /** When the first proposal for this /find reached the user; undefined if none yet. */
  proposedAt?: number;
  /** Whether someone compatible (>= 2 shared topics) was searching when they pressed. */
  compatibleWaiting: boolean;
}

export interface CrowdFigures {
  finds: number;
  /** Finds old enough to judge "within 60 s" (pressed at least 60 s ago, or answered). */
  judged: number;
  within60s: number;
  shareWithin60s: number | undefined;
  compatibleJudged: number;
  compatibleWithin1s: number;
  shareCompatibleWithin1s: number | undefined;
  timeToProposalMs: { p50?: number; p95?: number; p99?: number };
  /** Chats that opened, each counted once (both people see it open). */
  chatsStarted: number;
  noOneIdle: number;
  /** People who have finished onboarding. */
  onboarded: number;
}

export function createCrowdStats(now: () => number = Date.now) {
  const finds: FindRecord[] = [];
  const chats = new Set<number>();
  let noOneIdle = 0;
  let onboarded = 0;
  let firstProposalAt: number | undefined;
  let reportFirstProposal!: (at: number) => void;
  const firstProposal = new Promise<number>((resolve) => (reportFirstProposal = resolve));
  return {
    /** Resolves with the time (epoch ms) the first proposal reached someone. */
    firstProposal,
    find(compatibleWaiting: boolean): number {
      finds.push({ at: now(), compatibleWaiting });
      return finds.length - 1;
    },
    proposed(index: number): void {
      const record = finds[index];
      if (record && record.proposedAt === undefined) record.proposedAt = now();
      if (firstProposalAt === undefined) {
        firstProposalAt = now();
        reportFirstProposal(firstProposalAt);
      }
    },
    /** Called by each of the two people whose chat opened. */
    chatStarted(matchId: number): void {
      chats.add(matchId);
    },
    onboarded(): void {
      onboarded += 1;
    },
    noOneIdle(): void {
      noOneIdle += 1;
    },
    figures(): CrowdFigures {
      const t = now();
      const judged = finds.filter((f) => f.proposedAt !== undefined || t - f.at >= 60_000);
      const within = judged.filter(
        (f) => f.proposedAt !== undefined && f.proposedAt - f.at <= 60_000,
      );
      const compatible = finds.filter(
        (f) => f.compatibleWaiting && (f.proposedAt !== undefined || t - f.at >= 1_000),
      );
      const fast = compatible.filter(
        (f) => f.proposedAt !== undefined && f.proposedAt - f.at <= 1_000,
      );
      const times = finds
        .filter((f) => f.proposedAt !== undefined)
        .map((f) => f.proposedAt! - f.at);
      return {
        finds: finds.length,
        judged: judged.length,
        within60s: within.length,
        shareWithin60s: judged.length ? within.length / judged.length : undefined,
        compatibleJudged: compatible.length,
        compatibleWithin1s: fast.length,
        shareCompatibleWithin1s: compatible.length ? fast.length / compatible.length : undefined,
        timeToProposalMs: {
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          p99: percentile(times, 99),
        },
        chatsStarted: chats.size,
        noOneIdle,
        onboarded,
      };
    },
  };
}

export type CrowdStats = ReturnType<typeof createCrowdStats>;

import { percentile } from '../sim-kit/percentile.js';

/** What the crowd observed, from the users' side: the sprint's acceptance figures. */
export interface FindRecord {
  at: number;
  /** Who pressed: their Telegram id. */
  tgId: number;
  /** When the first proposal for this /find reached the user; undefined if none yet. */
  proposedAt?: number;
  /** Whether someone compatible (>= 2 shared topics) was searching when they pressed. */
  compatibleWaiting: boolean;
  /**
   * Whether the service had a partner it could propose when they pressed (see
   * partner-waiting.ts); undefined until judged from PostgreSQL.
   */
  partnerWaiting?: boolean;
}

export interface CrowdFigures {
  finds: number;
  /** Finds old enough to judge "within 60 s" (pressed at least 60 s ago, or answered). */
  judged: number;
  within60s: number;
  shareWithin60s: number | undefined;
  /** Finds with a partner the service could propose waiting (see partner-waiting.ts). */
  waitingJudged: number;
  waitingWithin1s: number;
  shareWaitingWithin1s: number | undefined;
  /** The same for the waiting finds, by when their proposal was seen. */
  waitingSpread: CompatibleSpread;
  /** The crowd's own, generous view: someone compatible was searching. */
  compatibleJudged: number;
  compatibleWithin1s: number;
  shareCompatibleWithin1s: number | undefined;
  /**
   * The compatible finds judged, by when their proposal was seen: within 1, 2, 5 and 60 s, and
   * later or never. Tells a slow delivery (1–5 s) from a partner the matcher may not pair.
   */
  compatibleSpread: CompatibleSpread;
  timeToProposalMs: { p50?: number; p95?: number; p99?: number };
  /** Chats that opened, each counted once (both people see it open). */
  chatsStarted: number;
  noOneIdle: number;
  /** People who have finished onboarding. */
  onboarded: number;
  /** /pause taken, and of those ended early with /resume. */
  pauses: number;
  resumedEarly: number;
}

/** Counts of the compatible finds seen within each limit (ms), and later or never. */
export interface CompatibleSpread {
  within: [limitMs: number, count: number][];
  later: number;
}

const SPREAD_LIMITS_MS = [1_000, 2_000, 5_000, 60_000];

const within1s = (f: FindRecord) => f.proposedAt !== undefined && f.proposedAt - f.at <= 1_000;

function spreadOf(records: readonly FindRecord[]): CompatibleSpread {
  const within = SPREAD_LIMITS_MS.map(
    (limit) =>
      [
        limit,
        records.filter((f) => f.proposedAt !== undefined && f.proposedAt - f.at <= limit).length,
      ] as [number, number],
  );
  return { within, later: records.length - (within.at(-1)?.[1] ?? 0) };
}

export function createCrowdStats(now: () => number = Date.now) {
  const finds: FindRecord[] = [];
  const chats = new Set<number>();
  let noOneIdle = 0;
  const noOneIdleAt: number[] = [];
  let onboarded = 0;
  let pauses = 0;
  let resumedEarly = 0;
  let firstProposalAt: number | undefined;
  let reportFirstProposal!: (at: number) => void;
  const firstProposal = new Promise<number>((resolve) => (reportFirstProposal = resolve));
  return {
    /** Resolves with the time (epoch ms) the first proposal reached someone. */
    firstProposal,
    find(tgId: number, compatibleWaiting: boolean): number {
      finds.push({ at: now(), tgId, compatibleWaiting });
      return finds.length - 1;
    },
    /**
     * Judges the finds not judged yet: was a partner the service could propose waiting when
     * each was pressed? `judge` answers for a list of presses, in order.
     */
    async judgeWaiting(judge: (presses: readonly FindRecord[]) => Promise<boolean[]>) {
      const open = finds.filter((f) => f.partnerWaiting === undefined);
      const answers = await judge(open);
      open.forEach((f, i) => (f.partnerWaiting = answers[i]));
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
      noOneIdleAt.push(now());
    },
    paused(): void {
      pauses += 1;
    },
    resumedEarly(): void {
      resumedEarly += 1;
    },
    /** The finds pressed in [from, to) and how they fared (see windowFigures). */
    window(from: number, to: number): WindowFigures {
      return windowFigures(
        finds.filter((f) => f.at >= from && f.at < to),
        noOneIdleAt.filter((at) => at >= from && at < to).length,
      );
    },
    figures(): CrowdFigures {
      const t = now();
      const judged = finds.filter((f) => f.proposedAt !== undefined || t - f.at >= 60_000);
      const within = judged.filter(
        (f) => f.proposedAt !== undefined && f.proposedAt - f.at <= 60_000,
      );
      const judgedBy = (waiting: (f: FindRecord) => boolean | undefined) =>
        finds.filter((f) => waiting(f) && (f.proposedAt !== undefined || t - f.at >= 1_000));
      const compatible = judgedBy((f) => f.compatibleWaiting);
      const fast = compatible.filter(within1s);
      const waiting = judgedBy((f) => f.partnerWaiting);
      const waitingFast = waiting.filter(within1s);
      const times = finds
        .filter((f) => f.proposedAt !== undefined)
        .map((f) => f.proposedAt! - f.at);
      return {
        finds: finds.length,
        judged: judged.length,
        within60s: within.length,
        shareWithin60s: judged.length ? within.length / judged.length : undefined,
        waitingJudged: waiting.length,
        waitingWithin1s: waitingFast.length,
        shareWaitingWithin1s: waiting.length ? waitingFast.length / waiting.length : undefined,
        waitingSpread: spreadOf(waiting),
        compatibleJudged: compatible.length,
        compatibleWithin1s: fast.length,
        shareCompatibleWithin1s: compatible.length ? fast.length / compatible.length : undefined,
        compatibleSpread: spreadOf(compatible),
        timeToProposalMs: {
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          p99: percentile(times, 99),
        },
        chatsStarted: chats.size,
        noOneIdle,
        onboarded,
        pauses,
        resumedEarly,
      };
    },
  };
}

export type CrowdStats = ReturnType<typeof createCrowdStats>;

/** How the finds of one stretch of time fared, for the capacity run. */
export interface WindowFigures {
  finds: number;
  /** Finds with a partner the service could propose waiting when pressed (partner-waiting.ts). */
  waiting: number;
  /** Of those, how many have not had their proposal. */
  waitingUnanswered: number;
  /**
   * p95 time to the proposal of the waiting finds, an unanswered one counted as never
   * (Infinity): a partner was there to propose, so a missing proposal is the bot's failure.
   */
  waitingP95Ms: number | undefined;
  /**
   * The crowd's generous view, for comparison: someone compatible was searching (it ignores
   * cooldowns and partners whose own proposal is being made, so some of these never get one
   * however fast the bot is). p95 over those that had one.
   */
  compatible: number;
  compatibleUnanswered: number;
  compatibleP95Ms: number | undefined;
  /** Arrivals the crowd wanted but found nobody idle for: the crowd, not the bot, was short. */
  noOneIdle: number;
}

export function windowFigures(records: readonly FindRecord[], noOneIdle: number): WindowFigures {
  const compatible = records.filter((f) => f.compatibleWaiting);
  const times = compatible
    .filter((f) => f.proposedAt !== undefined)
    .map((f) => f.proposedAt! - f.at);
  const waiting = records.filter((f) => f.partnerWaiting);
  const waitingTimes = waiting.map((f) =>
    f.proposedAt === undefined ? Number.POSITIVE_INFINITY : f.proposedAt - f.at,
  );
  return {
    finds: records.length,
    waiting: waiting.length,
    waitingUnanswered: waiting.filter((f) => f.proposedAt === undefined).length,
    waitingP95Ms: percentile(waitingTimes, 95),
    compatible: compatible.length,
    compatibleUnanswered: compatible.filter((f) => f.proposedAt === undefined).length,
    compatibleP95Ms: percentile(times, 95),
    noOneIdle,
  };
}

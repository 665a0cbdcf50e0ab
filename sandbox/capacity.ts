import { UsageError } from '../src/startup/command-line.js';
import type { WindowFigures } from './crowd-stats.js';
import { LIFECYCLE_PURPOSES } from './sandbox-figures.js';
import { KEPT_UP_FACTOR, keptUp, type LaneWait } from './lane-waits.js';

/** One step of the capacity run: the crowd pressed "Find" at `rate` for `seconds`. */
export interface CapacityStep extends WindowFigures {
  rate: number;
  seconds: number;
  /** Sends and edits Telegram accepted during the step, by purpose. */
  messages: Record<string, number>;
  /** The sender's runs during the step by outcome, each a slot of its rate limiter. */
  senderRuns: Record<string, number>;
  /** The machine's 1-minute load average at the end of the step. */
  loadAverage: number;
  /** How long the chat, reply and notice messages waited behind proposals in the step. */
  laneWaits: LaneWait[];
}

/** The capacity run's target: p95 from /find to the proposal delivered, with a partner waiting. */
export const CAPACITY_P95_MS = 2_000;

/**
 * How long one simulated person is away from the idle pool per /find, on average, in seconds:
 * search and proposals (1.5 a /find, each answered after a median 6 s, some left to expire),
 * the chat (1-5 lines a few seconds apart), the rating, then a rest of 45 s on average and now
 * and then a /pause of a few sandbox days (minutes). Runs of 400-600 people ran out of idle
 * people at 4-5 /find/s, which is 100-120 s; this takes the upper end.
 */
export const PERSON_CYCLE_SECONDS = 120;
/** The crowd is sized this much above the busy people, for the rate's random swings. */
const CROWD_HEADROOM = 1.25;
/** Simulated people per /find/s pressed, so that someone idle is (almost) always there. */
export const PEOPLE_PER_FIND_PER_SECOND = PERSON_CYCLE_SECONDS * CROWD_HEADROOM;

/** The crowd a capacity run needs to press `rate` /find/s without running out of idle people. */
export const crowdFor = (rate: number): number => Math.ceil(rate * PEOPLE_PER_FIND_PER_SECOND);

/**
 * Rejects a crowd too small for the top rate: past about users / PEOPLE_PER_FIND_PER_SECOND
 * /find/s nobody is idle when an arrival comes, and the run measures the crowd, not the bot.
 * @throws UsageError naming --users and the crowd --to needs.
 */
export function checkCrowd(users: number, to: number): void {
  const needed = crowdFor(to);
  if (users >= needed) return;
  throw new UsageError(
    `--users ${users} is too small for --to ${to}: ${users} people run out of idle people ` +
      `near ${(users / PEOPLE_PER_FIND_PER_SECOND).toFixed(1)} /find/s (each is away about ` +
      `${PERSON_CYCLE_SECONDS} s per /find). Leave --users out to size the crowd for --to ` +
      `(${needed} people), give --users ${needed} or more, or lower --to.`,
  );
}

/** Presses actually made per second in the step (the crowd may run short of idle people). */
export const pressedPerSecond = (step: CapacityStep) => step.finds / step.seconds;

/** Sends and edits of the /find lifecycle per press, relayed chat content and replies aside. */
export function lifecycleCallsPerFind(step: CapacityStep): number | undefined {
  if (!step.finds) return undefined;
  const calls = LIFECYCLE_PURPOSES.reduce((sum, purpose) => sum + (step.messages[purpose] ?? 0), 0);
  return calls / step.finds;
}

/** Sends and edits of every purpose per second during the step. */
export const messagesPerSecond = (step: CapacityStep) =>
  Object.values(step.messages).reduce((sum, n) => sum + n, 0) / step.seconds;

/**
 * A step is sustained when the people who pressed while a partner the service could propose
 * was waiting saw their proposal within CAPACITY_P95_MS at the 95th percentile, an unanswered
 * one counting as never, so nothing may be lost either; and when every other lane kept up
 * (lane-waits.ts), so proposals were not fast only because everything else piled up behind
 * them. Whether the crowd could press at the asked rate is the crowd's limit, not the bot's:
 * the rate that counts is the one pressed.
 */
export function isSustained(step: CapacityStep): boolean {
  return (
    step.waitingP95Ms !== undefined &&
    step.waitingP95Ms <= CAPACITY_P95_MS &&
    step.laneWaits.every(keptUp)
  );
}

/** The highest rate pressed in the steps up to the first that was not sustained. */
export function sustainedRate(steps: readonly CapacityStep[]): number | undefined {
  let best: number | undefined;
  for (const step of steps) {
    if (!isSustained(step)) break;
    best = Math.max(best ?? 0, pressedPerSecond(step));
  }
  return best;
}

/** Differences of two counter snapshots. */
export function countersSince(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, value]) => [name, value - (before[name] ?? 0)]),
  );
}

const ms = (value: number | undefined) =>
  value === undefined ? '—' : Number.isFinite(value) ? `${Math.round(value)} ms` : 'unanswered';

/** "notice 8.1 s of 15 s": each lower lane's p95 wait against what it may wait. */
const laneWaitCell = (waits: readonly LaneWait[]) =>
  waits
    .filter((wait) => wait.count > 0)
    .map(
      (wait) =>
        `${wait.lane} ${((wait.p95Ms ?? 0) / 1000).toFixed(1)} s of ` +
        `${((wait.boundMs * KEPT_UP_FACTOR) / 1000).toFixed(1)} s${keptUp(wait) ? '' : ' (behind)'}`,
    )
    .join(', ') || '—';

/** "29.4 (3.1 without a call: moot 2.6, waited 0.5)": the sender's limiter slots per second. */
function senderRunsCell(step: CapacityStep): string {
  const perSecond = (n: number) => (n / step.seconds).toFixed(1);
  const total = Object.values(step.senderRuns).reduce((sum, n) => sum + n, 0);
  const idle = Object.entries(step.senderRuns).filter(([outcome, n]) => outcome !== 'called' && n);
  const idleSum = idle.reduce((sum, [, n]) => sum + n, 0);
  const parts = idle.map(([outcome, n]) => `${outcome} ${perSecond(n)}`).join(', ');
  return `${perSecond(total)} (${perSecond(idleSum)} without a call${parts ? `: ${parts}` : ''})`;
}

/** The capacity steps as a Markdown table, and the highest sustained rate. */
export function capacityTable(steps: readonly CapacityStep[]): string {
  const rows = steps.map((step) => {
    const calls = lifecycleCallsPerFind(step);
    const purposes = LIFECYCLE_PURPOSES.filter((p) => step.messages[p])
      .map((p) => `${p} ${(step.messages[p]! / Math.max(1, step.finds)).toFixed(2)}`)
      .join(', ');
    return (
      `| ${step.rate} | ${pressedPerSecond(step).toFixed(2)} | ${step.waiting} ` +
      `(${step.waitingUnanswered} unanswered) | ${ms(step.waitingP95Ms)} | ` +
      `${step.compatible} (${step.compatibleUnanswered} unanswered), ${ms(step.compatibleP95Ms)} | ` +
      `${messagesPerSecond(step).toFixed(1)} | ${senderRunsCell(step)} | ${calls === undefined ? '—' : calls.toFixed(2)} ` +
      `(${purposes || '—'}) | ${laneWaitCell(step.laneWaits)} | ${step.noOneIdle} | ` +
      `${step.loadAverage.toFixed(1)} | ` +
      `${isSustained(step) ? 'yes' : 'NO'} |`
    );
  });
  const best = sustainedRate(steps);
  return [
    "| /find per second asked | pressed per second | with a partner waiting | p95 /find → proposal seen (partner waiting) | crowd's generous view: someone compatible searching, p95 | sends and edits per second, all | sender's runs per second (each a slot of its limiter) | per /find (by purpose) | p95 wait of the other lanes, of what keeps up | arrivals with nobody idle | load average | sustained |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    best === undefined
      ? '**No step was sustained.**'
      : `**Highest sustained rate: ${best.toFixed(2)} /find per second pressed** (p95 ≤ ` +
        `${CAPACITY_P95_MS} ms from /find to the proposal seen, for people with a partner ` +
        'waiting, an unanswered one counted as never, with the other lanes keeping up: a p95 ' +
        `wait within ${KEPT_UP_FACTOR}× their starvation bound; where fewer were pressed than ` +
        'asked, the crowd had nobody idle to press).',
  ].join('\n');
}

/** What a capacity run did, for its section of bench/ACCEPTANCE.md. */
export interface CapacityRun {
  /** The command that reproduces it. */
  command: string;
  users: number;
  /** Whether the run sized the crowd itself (no --users). */
  usersChosen: boolean;
  to: number;
  seconds: number;
  onboardingRate: number;
  /** Seconds the crowd took to onboard. */
  onboardedIn: number;
  freeRate: number;
  /** PAID_BROADCAST_PER_SECOND, 0 when off. */
  paid: number;
  lifecycleOnly: boolean;
  steps: readonly CapacityStep[];
}

/**
 * The run's section: its own heading for each kind of run (free or paid, the full crowd or
 * the lifecycle alone), so each kind replaces only its own earlier section.
 */
export function capacitySection(run: CapacityRun): string {
  const limit = run.paid
    ? `with paid broadcasts (PAID_BROADCAST_PER_SECOND=${run.paid}, no daily cap)`
    : `at the free limit (OUTBOUND_RATE_PER_SECOND=${run.freeRate})`;
  const crowd = run.lifecycleOnly
    ? 'The crowd is the model above doing only the /find lifecycle (`--lifecycle-only`): chats ' +
      'open and one of the two ends each a few seconds later with nothing said, and nobody ' +
      'pauses, invites with /again or exchanges contacts. So the budget pays for searches, ' +
      'proposals, chat openings and endings alone: the basis on which the sends and edits per ' +
      '/find are counted (relayed chat content and replies aside).'
    : 'The crowd is the same model as above.';
  return [
    `## Capacity ${limit}${run.lifecycleOnly ? ', the /find lifecycle alone' : ''}`,
    '',
    `Command: \`${run.command}\`, run at ${new Date().toISOString()}. ${crowd} It is sized ` +
      `for the top rate: ${run.users} people${run.usersChosen ? ' (chosen by the run)' : ''}, ` +
      `${crowdFor(run.to)} needed for ${run.to} /find/s at ${PEOPLE_PER_FIND_PER_SECOND} per ` +
      '/find/s, so "arrivals with nobody idle" should stay near 0. It onboarded through the ' +
      `bot first, at ${run.onboardingRate} messages a second (${Math.round(run.onboardedIn)} s), ` +
      `and rested until picked; then "Find" was pressed at each rate for ${run.seconds} s with ` +
      "the bot at its configured rate. The load average is the machine's, shared with other " +
      'work.',
    '',
    capacityTable(run.steps),
  ].join('\n');
}

/** The `## Capacity…` sections of a document, each with its text up to the next section. */
export function capacitySections(doc: string): string[] {
  return doc
    .split(/\n(?=## )/)
    .filter((part) => part.startsWith('## Capacity'))
    .map((part) => part.trimEnd());
}

/**
 * Puts `section` (a Markdown section starting with its `## ` heading) into `doc`, replacing the
 * section with the same heading if there is one, else at the end.
 */
export function replaceSection(doc: string, section: string): string {
  const heading = section.split('\n', 1)[0]!;
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) return `${doc.trimEnd()}\n\n${section.trimEnd()}\n`;
  const next = doc.indexOf('\n## ', start + heading.length + 1);
  const rest = next < 0 ? '' : doc.slice(next);
  return `${doc.slice(0, start).trimEnd()}\n\n${section.trimEnd()}\n${rest}`;
}

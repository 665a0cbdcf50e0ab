import { formatMarkdown } from './acceptance-report.js';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { loadConfig } from '../src/config.js';
import { defineCommand, readCommandLine } from '../src/startup/command-line.js';
import { exitOnFailure } from '../src/startup/exit-on-failure.js';
import {
  capacitySection,
  capacityTable,
  checkCrowd,
  crowdFor,
  PEOPLE_PER_FIND_PER_SECOND,
  countersSince,
  isSustained,
  replaceSection,
  type CapacityStep,
} from './capacity.js';
import { messagesByPurpose, senderRunsByOutcome } from './sandbox-figures.js';
import { SANDBOX_DEFAULTS, sandboxCommand } from './sandbox-options.js';
import { partnersWaiting } from './partner-waiting.js';
import { laneWaitsBetween, queueWaitBuckets } from './lane-waits.js';
import { runSandbox } from './sandbox-runner.js';
import { laneBoundsMs } from '../src/outbound/lane-aging.js';

const base = sandboxCommand('npm run capacity --', SANDBOX_DEFAULTS);
/** How much faster than OUTBOUND_RATE_PER_SECOND the bot may send while the crowd onboards. */
const ONBOARDING_SPEEDUP = 4;
const COMMAND = defineCommand({
  usage: 'npm run capacity --',
  summary:
    'The capacity run: the sandbox with its crowd onboarded, then "Find" pressed at a rate\n' +
    'stepped up until people with a partner waiting no longer see their proposal within 2 s\n' +
    '(p95). Writes the steps into bench/ACCEPTANCE.md.\n\n' +
    `The crowd is sized for --to (${PEOPLE_PER_FIND_PER_SECOND} people per /find/s), so the rate ` +
    'is not capped by the crowd\n' +
    'running out of idle people; a smaller --users is refused. It onboards through the bot at\n' +
    `${ONBOARDING_SPEEDUP}x OUTBOUND_RATE_PER_SECOND (the emulator enforces no limit), then ` +
    'rests until picked;\nthe steps run at the configured rate.',
  flags: {
    users: {
      ...base.flags.users,
      default: undefined,
      shownDefault: `enough for --to: ${PEOPLE_PER_FIND_PER_SECOND} per /find/s`,
    },
    ttl: base.flags.ttl,
    seed: base.flags.seed,
    from: { kind: 'number', min: 0.1, max: 1_000, default: 2, help: 'the first rate (/find/s)' },
    step: { kind: 'number', min: 0.1, max: 1_000, default: 1, help: 'how much each step adds' },
    to: { kind: 'number', min: 0.1, max: 1_000, default: 12, help: 'the last rate tried' },
    seconds: {
      kind: 'number',
      min: 5,
      max: 3_600,
      default: 60,
      value: 'SECONDS',
      help: 'how long each step lasts',
    },
    'lifecycle-only': {
      kind: 'switch',
      help:
        'the crowd only searches: chats open and end with nothing said, and nobody pauses,\n' +
        'invites with /again or exchanges contacts, so the budget pays for the /find lifecycle\n' +
        'alone (no relayed chat content, no replies to other commands)',
    },
    paid: {
      kind: 'integer',
      min: 0,
      max: 1_000,
      default: 0,
      help: 'PAID_BROADCAST_PER_SECOND for the run (0: the free limit only)',
    },
  },
});

/** Finds pressed at the end of a step get this long to be answered before it is judged. */
const GRACE_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(): Promise<void> {
  const options = readCommandLine(COMMAND);
  const users = options.users ?? crowdFor(options.to);
  checkCrowd(users, options.to);
  const loaded = loadConfig();
  // The run measures what paid broadcasts allow, not the daily cap: with the cap of 100 Stars
  // (1000 messages) onboarding alone would spend it in the first minute.
  const config = options.paid
    ? { ...loaded, PAID_BROADCAST_PER_SECOND: options.paid, PAID_BROADCAST_DAILY_STARS: 10_000_000 }
    : loaded;
  const onboardingRate = ONBOARDING_SPEEDUP * config.OUTBOUND_RATE_PER_SECOND;
  const started = Date.now();
  const sandboxRun = await runSandbox(
    config,
    { users, rate: options.from, duration: 0, ttl: options.ttl, seed: options.seed },
    process.stdout,
    {
      onboardingRatePerSecond: onboardingRate,
      findWhenOnboarded: false,
      lifecycleOnly: options['lifecycle-only'],
    },
  );
  const { sandbox, console } = sandboxRun;
  const onSignal = () => void sandboxRun.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (!(await sandbox.ready)) throw new Error('the crowd did not finish onboarding');
  const onboardedIn = (Date.now() - started) / 1000;
  const steps: CapacityStep[] = [];
  for (let rate = options.from; rate <= options.to + 1e-9; rate += options.step) {
    sandbox.crowd.setRate(rate);
    const from = Date.now();
    const before = await messagesByPurpose(sandbox.app);
    const runsBefore = await senderRunsByOutcome(sandbox.app);
    const waitsBefore = await queueWaitBuckets(sandbox.app);
    await sleep(options.seconds * 1000);
    const to = Date.now();
    const after = await messagesByPurpose(sandbox.app);
    const runsAfter = await senderRunsByOutcome(sandbox.app);
    await sleep(GRACE_MS);
    const waitsAfter = await queueWaitBuckets(sandbox.app);
    await sandbox.crowd.stats.judgeWaiting((presses) =>
      partnersWaiting(sandbox.app.deps.db, presses),
    );
    const step: CapacityStep = {
      rate,
      seconds: (to - from) / 1000,
      ...sandbox.crowd.stats.window(from, to),
      messages: countersSince(before, after),
      senderRuns: countersSince(runsBefore, runsAfter),
      loadAverage: loadavg()[0]!,
      laneWaits: laneWaitsBetween(
        waitsBefore,
        waitsAfter,
        laneBoundsMs(config.OUTBOUND_LANE_MAX_WAIT_MS, config.OUTBOUND_NOTICE_MAX_WAIT_MS),
      ),
    };
    steps.push(step);
    console.line(`\nCapacity after the ${rate} /find/s step:\n${capacityTable(steps)}\n`);
    if (!isSustained(step)) break;
  }
  await sandboxRun.stop();
  const section = capacitySection({
    command:
      `npm run capacity -- --users ${users} --from ${options.from} --step ${options.step} ` +
      `--to ${options.to} --seconds ${options.seconds} --ttl ${options.ttl} ` +
      `--seed ${options.seed}${options.paid ? ` --paid ${options.paid}` : ''}` +
      `${options['lifecycle-only'] ? ' --lifecycle-only' : ''}`,
    users,
    usersChosen: options.users === undefined,
    to: options.to,
    seconds: options.seconds,
    onboardingRate,
    onboardedIn,
    freeRate: config.OUTBOUND_RATE_PER_SECOND,
    paid: options.paid,
    lifecycleOnly: options['lifecycle-only'],
    steps,
  });
  const path = 'bench/ACCEPTANCE.md';
  const doc = await readFile(path, 'utf8').catch(() => '# Acceptance run\n');
  await writeFile(path, await formatMarkdown(path, replaceSection(doc, section)));
  console.line(`\nWrote the capacity steps into ${path}`);
  process.exit(0);
}

run().catch(exitOnFailure('capacity run failed'));

import { strict as assert } from 'node:assert';
import {
  capacitySection,
  capacitySections,
  capacityTable,
  checkCrowd,
  crowdFor,
  isSustained,
  lifecycleCallsPerFind,
  replaceSection,
  sustainedRate,
  type CapacityStep,
} from '../../sandbox/capacity.js';
import { windowFigures } from '../../sandbox/crowd-stats.js';

const step = (rate: number, p95: number | undefined, over: Partial<CapacityStep> = {}) =>
  ({
    rate,
    seconds: 60,
    finds: rate * 60,
    waiting: 50,
    waitingUnanswered: 0,
    waitingP95Ms: p95,
    compatible: 60,
    compatibleUnanswered: 3,
    compatibleP95Ms: 700,
    noOneIdle: 0,
    messages: { proposal: rate * 60 * 1.5, chat_open: rate * 30, relay: rate * 60, reply: 7 },
    senderRuns: { called: rate * 60 * 3.5 + 7, moot: rate * 60 * 0.5, waited: 30 },
    loadAverage: 3,
    laneWaits: [
      { lane: 'chat', count: 40, p95Ms: 300, boundMs: 3_000 },
      { lane: 'reply', count: 0, p95Ms: undefined, boundMs: 3_000 },
      { lane: 'notice', count: 90, p95Ms: 6_000, boundMs: 10_000 },
    ],
    ...over,
  }) satisfies CapacityStep;

describe('the capacity run', () => {
  it('sizes its crowd for the top rate, and refuses a crowd that would run out first', () => {
    // 150 people per /find/s: a person is away about 120 s per /find, plus a quarter.
    assert.equal(crowdFor(12), 1800);
    assert.equal(crowdFor(2.5), 375);
    assert.doesNotThrow(() => checkCrowd(1800, 12));
    assert.throws(
      () => checkCrowd(600, 12),
      (error: Error) =>
        error.name === 'UsageError' &&
        /^--users 600 is too small for --to 12: .* near 4\.0 \/find\/s/.test(error.message) &&
        error.message.includes('--users 1800 or more'),
    );
  });

  it('judges a step by p95 with a partner the service could propose, an unanswered one as never', () => {
    const at = 1_000_000;
    const tgId = 7;
    const figures = windowFigures(
      [
        { at, tgId, proposedAt: at + 300, compatibleWaiting: true, partnerWaiting: true },
        { at, tgId, proposedAt: at + 900, compatibleWaiting: true, partnerWaiting: true },
        { at, tgId, compatibleWaiting: true, partnerWaiting: false },
        { at, tgId, compatibleWaiting: false, partnerWaiting: false },
      ],
      2,
    );
    assert.deepEqual(figures, {
      finds: 4,
      waiting: 2,
      waitingUnanswered: 0,
      waitingP95Ms: 900,
      compatible: 3,
      compatibleUnanswered: 1,
      compatibleP95Ms: 900,
      noOneIdle: 2,
    });
    // 19 answered in 100 ms and one never: the 95th percentile is still 100 ms; with 9 and
    // one never, it is the one never answered.
    const answered = (n: number) =>
      Array.from({ length: n }, () => ({
        at,
        tgId,
        proposedAt: at + 100,
        compatibleWaiting: true,
        partnerWaiting: true,
      }));
    const never = { at, tgId, compatibleWaiting: true, partnerWaiting: true };
    const lost = windowFigures([...answered(19), never], 0);
    assert.equal(lost.waitingUnanswered, 1);
    assert.equal(lost.waitingP95Ms, 100);
    const lostMore = windowFigures([...answered(9), never], 0);
    assert.equal(lostMore.waitingP95Ms, Number.POSITIVE_INFINITY);
    assert.equal(isSustained(step(2, lostMore.waitingP95Ms)), false, 'a lost proposal fails');
  });

  it('is not sustained when another lane fell behind, however fast the proposals went', () => {
    const behind = step(4, 900, {
      laneWaits: [{ lane: 'notice', count: 200, p95Ms: 15_001, boundMs: 10_000 }],
    });
    assert.equal(isSustained(behind), false);
    assert.equal(
      isSustained(step(4, 900, { laneWaits: [{ ...behind.laneWaits[0]!, p95Ms: 14_900 }] })),
      true,
    );
    const table = capacityTable([step(3, 500), behind]);
    assert.match(table, /chat 0\.3 s of 4\.5 s, notice 6\.0 s of 15\.0 s \|/);
    assert.match(table, /notice 15\.0 s of 15\.0 s \(behind\)/);
    assert.match(table, /\*\*Highest sustained rate: 3\.00 \/find per second pressed\*\*/);
    // 3/s: 10.5 + 7/60 calls, 1.5 moot and 0.5 waited a second, all slots of the limiter.
    assert.match(table, /\| 12\.6 \(2\.0 without a call: moot 1\.5, waited 0\.5\) \|/);
  });

  it('takes the highest rate pressed before the first step that missed 2 s', () => {
    assert.equal(isSustained(step(3, 1_900)), true);
    assert.equal(isSustained(step(3, 2_100)), false);
    assert.equal(isSustained(step(3, undefined)), false, 'nobody with a partner waiting');
    assert.equal(sustainedRate([step(2, 400), step(3, 800), step(4, 2_500), step(5, 900)]), 3);
    // The crowd pressed 2.5/s when 4 were asked: 2.5 is what was shown to hold.
    assert.equal(sustainedRate([step(2, 400), step(4, 800, { finds: 150 })]), 2.5);
    assert.equal(sustainedRate([step(2, 2_500)]), undefined);
    // Proposals and chat openings count; relayed content and command replies do not.
    assert.equal(lifecycleCallsPerFind(step(2, 400)), 2);
  });

  it('writes its section into the acceptance report, replacing an older one', () => {
    const table = capacityTable([step(2, 400), step(3, 2_500)]);
    assert.match(table, /\*\*Highest sustained rate: 2\.00 \/find per second pressed\*\*/);
    assert.match(
      table,
      /\| 3 \| 3\.00 \| 50 \(0 unanswered\) \| 2500 ms \| 60 \(3 unanswered\), 700 ms \|/,
    );
    const doc = '# Acceptance run\n\n## Figures\n\ntable\n\n## Alerts\n\nnone\n';
    const once = replaceSection(doc, '## Capacity at the free limit\n\nfirst');
    const twice = replaceSection(once, '## Capacity at the free limit\n\nsecond');
    assert.equal(twice, `${doc}\n## Capacity at the free limit\n\nsecond\n`);
    const middle = replaceSection(twice, '## Figures\n\nnew table');
    assert.match(middle, /## Figures\n\nnew table\n\n## Alerts/);
    assert.deepEqual(capacitySections(twice), ['## Capacity at the free limit\n\nsecond']);
  });

  it('gives each kind of run its own section, so one does not replace another', () => {
    const run = {
      command: 'npm run capacity -- --to 6',
      users: 900,
      usersChosen: true,
      to: 6,
      seconds: 60,
      onboardingRate: 120,
      onboardedIn: 121,
      freeRate: 30,
      paid: 0,
      lifecycleOnly: false,
      steps: [step(2, 400)],
    };
    const sections = [
      capacitySection(run),
      capacitySection({
        ...run,
        lifecycleOnly: true,
        command: 'npm run capacity -- --lifecycle-only',
      }),
      capacitySection({ ...run, paid: 60 }),
      capacitySection({ ...run, paid: 60, lifecycleOnly: true }),
    ];
    const headings = sections.map((section) => section.split('\n')[0]);
    assert.deepEqual(headings, [
      '## Capacity at the free limit (OUTBOUND_RATE_PER_SECOND=30)',
      '## Capacity at the free limit (OUTBOUND_RATE_PER_SECOND=30), the /find lifecycle alone',
      '## Capacity with paid broadcasts (PAID_BROADCAST_PER_SECOND=60, no daily cap)',
      '## Capacity with paid broadcasts (PAID_BROADCAST_PER_SECOND=60, no daily cap), the /find lifecycle alone',
    ]);
    assert.match(sections[1]!, /`npm run capacity -- --lifecycle-only`/);
    assert.match(sections[1]!, /chats open and one of the two ends each/);
    assert.doesNotMatch(sections[0]!, /--lifecycle-only/);
    assert.match(sections[0]!, /900 people \(chosen by the run\), 900 needed for 6 \/find\/s/);
    const doc = sections.reduce(replaceSection, '# Acceptance run\n');
    assert.equal(capacitySections(doc).length, 4);
    const again = replaceSection(doc, capacitySection({ ...run, lifecycleOnly: true, to: 7 }));
    assert.equal(capacitySections(again).length, 4);
    assert.match(again, /needed for 7 \/find\/s/);
  });
});

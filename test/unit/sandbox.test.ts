import { strict as assert } from 'node:assert';
import { createPopulation } from '../../sandbox/population.js';
import { parseSandboxArgs } from '../../sandbox/sandbox-options.js';
import { UsageError } from '../../src/startup/command-line.js';
import { proposalQuality } from '../../sandbox/person.js';
import { createCrowdStats } from '../../sandbox/crowd-stats.js';
import { TEXTS } from '../../src/bot/i18n/index.js';

const topicIds = Array.from({ length: 32 }, (_, i) => i + 1);

describe('sandbox crowd', () => {
  it('the same seed gives the same crowd, another seed a different one', () => {
    const a = createPopulation({ seed: 42, size: 200, topicIds });
    const b = createPopulation({ seed: 42, size: 200, topicIds });
    const c = createPopulation({ seed: 43, size: 200, topicIds });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('draws 2-6 topics per person with skewed popularity and varied time zones', () => {
    const people = createPopulation({ seed: 1, size: 2000, topicIds });
    const counts = new Map<number, number>();
    for (const person of people) {
      assert.ok(person.topicIds.length >= 2 && person.topicIds.length <= 6);
      for (const id of person.topicIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((x, y) => y - x);
    assert.ok(sorted[0]! > 4 * sorted.at(-1)!, `top topic ${sorted[0]} vs rarest ${sorted.at(-1)}`);
    assert.ok(new Set(people.map((p) => p.timeZone)).size >= 10);
    const english = people.filter((p) => p.languageCode === 'en').length / people.length;
    assert.ok(english > 0.1 && english < 0.2);
  });

  it('reads a proposal the way a person would', () => {
    const good = TEXTS.ru.proposal('Bob', 'Кино, Сериалы, Музыка, Книги', '09:00–23:00');
    const poor = TEXTS.en.proposal('Ann', 'Movies, Books', TEXTS.en.noSharedHours);
    assert.equal(proposalQuality(good), 1);
    assert.ok(Math.abs(proposalQuality(poor) - 0.325) < 1e-9);
    // The line on who can help with what changes nothing in how the card is judged.
    const helped = TEXTS.en.proposal(
      'Ann',
      'Movies, Books',
      TEXTS.en.noSharedHours,
      'Ann can help with Movies.',
    );
    assert.equal(proposalQuality(helped), proposalQuality(poor));
  });

  it('counts pauses taken and those ended early', () => {
    const stats = createCrowdStats();
    stats.paused();
    stats.paused();
    stats.resumedEarly();
    assert.deepEqual([stats.figures().pauses, stats.figures().resumedEarly], [2, 1]);
  });
});

describe('sandbox options', () => {
  it('reads the flags and keeps defaults for the rest', () => {
    assert.deepEqual(parseSandboxArgs(['--users', '50', '--rate', '0.5', '--seed', '3']), {
      users: 50,
      rate: 0.5,
      duration: 0,
      ttl: 60,
      seed: 3,
    });
  });
  for (const [args, message] of [
    [['--users', 'many'], /^--users: expected an integer from 2/],
    [['--rate', '0'], /^--rate: expected a number from 0.01/],
    [['--ttl', '1.5'], /^--ttl: expected an integer/],
    [['--speed', '2'], /Unknown option '--speed'/],
  ] as const) {
    it(`rejects ${args.join(' ')} with a clear message`, () => {
      assert.throws(
        () => parseSandboxArgs(args),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
});

describe('crowd statistics', () => {
  it('counts a chat once, though both people see it open', () => {
    const stats = createCrowdStats(() => 0);
    stats.chatStarted(7);
    stats.chatStarted(7);
    stats.chatStarted(8);
    assert.equal(stats.figures().chatsStarted, 2);
  });

  it('tells when the first proposal reached someone, and counts the onboarded', async () => {
    let now = 100;
    const stats = createCrowdStats(() => now);
    const find = stats.find(1, false);
    stats.onboarded();
    now = 250;
    stats.proposed(find);
    now = 900;
    stats.proposed(stats.find(1, false));
    assert.equal(await stats.firstProposal, 250);
    assert.equal(stats.figures().onboarded, 1);
  });

  it('spreads the compatible finds by when their proposal was seen', () => {
    let now = 0;
    const stats = createCrowdStats(() => now);
    const fast = stats.find(1, true);
    const slow = stats.find(1, true);
    stats.find(1, true); // never answered
    stats.find(1, false); // nobody compatible: not in the spread
    now = 800;
    stats.proposed(fast);
    now = 3_000;
    stats.proposed(slow);
    now = 61_000;
    assert.deepEqual(stats.figures().compatibleSpread, {
      within: [
        [1_000, 1],
        [2_000, 1],
        [5_000, 2],
        [60_000, 2],
      ],
      later: 1,
    });
  });

  it('judges "within 60 s" only once a /find has an answer or is 60 s old', () => {
    let now = 0;
    const stats = createCrowdStats(() => now);
    const fast = stats.find(1, true);
    stats.find(1, false);
    now = 400;
    stats.proposed(fast);
    stats.proposed(fast); // a second proposal of the same /find does not count again
    let figures = stats.figures();
    assert.equal(figures.judged, 1);
    assert.equal(figures.shareWithin60s, 1);
    assert.equal(figures.shareCompatibleWithin1s, 1);
    assert.deepEqual(figures.compatibleSpread, {
      within: [
        [1_000, 1],
        [2_000, 1],
        [5_000, 1],
        [60_000, 1],
      ],
      later: 0,
    });
    now = 61_000;
    figures = stats.figures();
    assert.equal(figures.judged, 2);
    assert.equal(figures.shareWithin60s, 0.5);
    assert.equal(figures.timeToProposalMs.p50, 400);
  });

  it("judges the service's view of a partner waiting once, and spreads those finds", async () => {
    let now = 0;
    const stats = createCrowdStats(() => now);
    const fast = stats.find(11, true);
    stats.find(12, true); // the crowd saw someone compatible; the service had nobody to propose
    const judged: number[][] = [];
    await stats.judgeWaiting((presses) => {
      judged.push(presses.map((press) => press.tgId));
      return Promise.resolve(presses.map((press) => press.tgId === 11));
    });
    const late = stats.find(13, false);
    await stats.judgeWaiting((presses) => {
      judged.push(presses.map((press) => press.tgId));
      return Promise.resolve(presses.map(() => true));
    });
    assert.deepEqual(judged, [[11, 12], [13]], 'each press is judged once');
    now = 500;
    stats.proposed(fast);
    now = 2_500;
    stats.proposed(late);
    const figures = stats.figures();
    assert.equal(figures.waitingJudged, 2);
    assert.equal(figures.waitingWithin1s, 1);
    assert.equal(figures.shareWaitingWithin1s, 0.5);
    assert.deepEqual(figures.waitingSpread.within, [
      [1_000, 1],
      [2_000, 1],
      [5_000, 2],
      [60_000, 2],
    ]);
    assert.equal(figures.compatibleJudged, 2, "the crowd's view is kept apart");
  });
});

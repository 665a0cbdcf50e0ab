import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  isValidTimeZone,
  sharedLocalHours,
  utcOffsetMinutes,
  wakingMinutes,
} from '../../src/time/waking-hours.js';
import { matchScore, wakingOverlap } from '../helpers/score-oracle.js';

const close = (actual: number, expected: number, what = 'value') =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);

const DAY = 1440;

/**
 * The definition, minute by minute: for each minute of a UTC day, is it inside both users'
 * local window? Independent of the closed form in the score oracle.
 */
function bruteForceOverlap(
  offsetA: number,
  offsetB: number,
  hours: { start: number; end: number },
): number {
  const start = (hours.start % 24) * 60;
  const end = (hours.end % 24) * 60;
  const awake = (local: number) => {
    const minute = ((local % DAY) + DAY) % DAY;
    if (start === end) return true;
    return start < end ? minute >= start && minute < end : minute >= start || minute < end;
  };
  let both = 0;
  let one = 0;
  for (let utc = 0; utc < DAY; utc += 1) {
    if (awake(utc + offsetA)) one += 1;
    if (awake(utc + offsetA) && awake(utc + offsetB)) both += 1;
  }
  return one === 0 ? 0 : both / one;
}

describe('score: the sprint formula', () => {
  it('is 0.6*min(shared/5,1) + 0.2*overlap + 0.2*helpfulness on hand-computed cases', () => {
    close(matchScore(2, 1, 0.5), 0.24 + 0.2 + 0.1, '2 shared, same hours, default helpfulness');
    close(matchScore(3, 0.5, 0.5), 0.36 + 0.1 + 0.1, '3 shared, half overlap');
    close(matchScore(5, 0, 0), 0.6, '5 shared saturates the topic term');
    close(matchScore(9, 0, 0), 0.6, 'more than 5 shared counts as 5');
    close(matchScore(7, 1, 1), 1, 'the maximum');
    close(matchScore(4, 11 / 14, 0.8), 0.48 + (0.2 * 11) / 14 + 0.16, 'Moscow and London');
  });

  it('clamps overlap and helpfulness into 0..1', () => {
    close(matchScore(2, -0.3, 1.7), 0.24 + 0 + 0.2);
    close(matchScore(2, 2, -1), 0.24 + 0.2 + 0);
  });

  it('adds 0.1 for a helper and a learner on a shared topic, capped at 1', () => {
    close(matchScore(2, 0.5, 0.5, true), 0.24 + 0.1 + 0.1 + 0.1);
    close(matchScore(2, 0.5, 0.5, false), 0.24 + 0.1 + 0.1);
    close(matchScore(5, 1, 0.8, true), 1);
  });
});

describe('score: waking windows', () => {
  it('measures windows, including ones that cross midnight', () => {
    assert.equal(wakingMinutes({ start: 9, end: 23 }), 14 * 60);
    assert.equal(wakingMinutes({ start: 8, end: 1 }), 17 * 60);
    assert.equal(wakingMinutes({ start: 22, end: 6 }), 8 * 60);
    assert.equal(wakingMinutes({ start: 9, end: 24 }), 15 * 60);
  });

  it('treats 00:00-24:00 as the whole day, not as an empty window', () => {
    assert.equal(wakingMinutes({ start: 0, end: 24 }), DAY);
    close(wakingOverlap(180, -300, wakingMinutes({ start: 0, end: 24 })), 1);
    assert.deepEqual(sharedLocalHours(180, -300, { start: 0, end: 24 }), [{ from: 0, to: 0 }]);
  });

  it('computes the overlap of 09:00-23:00 by hand across zones', () => {
    const L = wakingMinutes({ start: 9, end: 23 });
    close(wakingOverlap(180, 180, L), 1, 'same zone');
    close(wakingOverlap(180, 0, L), 11 / 14, 'Moscow / London in winter: 3 h apart');
    close(wakingOverlap(0, 180, L), 11 / 14, 'symmetric');
    close(wakingOverlap(180, -300, L), 6 / 14, 'Moscow / New York in winter: 8 h apart');
    // Tokyo 09-23 is 00-14 UTC; New York 09-23 (winter) is 14-04 UTC: 00-04 UTC shared.
    close(wakingOverlap(540, -300, L), 4 / 14, 'Tokyo / New York: 14 h apart');
    // 12 h apart: two 2-hour slivers, one at each end of the window.
    close(wakingOverlap(0, 720, L), 4 / 14, 'antipodes');
    close(wakingOverlap(330, 345, L), (L - 15) / L, 'Kolkata / Kathmandu: 15 minutes');
    close(wakingOverlap(-600, 840, L), wakingOverlap(-600, 840 - DAY, L), 'offsets wrap');
  });

  it('computes the overlap of a wrap-around window 08:00-01:00 by hand', () => {
    const L = wakingMinutes({ start: 8, end: 1 });
    // A at UTC+0 is awake 08-01 UTC; B at UTC+10 is awake 22-15 UTC. Shared: 00-01, 08-15
    // and 22-24 UTC, 10 hours of A's 17.
    close(wakingOverlap(0, 600, L), 10 / 17);
    close(wakingOverlap(600, 0, L), 10 / 17);
    // 7 hours apart: 17 - 7 = 10 hours straight, plus nothing round the back.
    close(wakingOverlap(0, -420, L), 10 / 17);
    // 12 hours apart: 5 hours on each side.
    close(wakingOverlap(0, 720, L), 10 / 17);
    close(bruteForceOverlap(0, 600, { start: 8, end: 1 }), 10 / 17, 'the oracle agrees');
  });

  it('equals the minute-by-minute definition for any offsets and window', () => {
    const offset = fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15);
    const hour = fc.integer({ min: 0, max: 24 });
    fc.assert(
      fc.property(offset, offset, hour, hour, (a, b, start, end) => {
        fc.pre(start !== end);
        const hours = { start, end };
        const fast = wakingOverlap(a, b, wakingMinutes(hours));
        close(fast, bruteForceOverlap(a, b, hours), `offsets ${a}/${b}, ${start}-${end}`);
        close(fast, wakingOverlap(b, a, wakingMinutes(hours)), 'symmetric');
      }),
      { numRuns: 300 },
    );
  });

  it('lists the shared local hours from the first user’s side', () => {
    const hours = { start: 9, end: 23 };
    // London 09-23 is Moscow 12-02; Moscow's own window ends at 23.
    assert.deepEqual(sharedLocalHours(180, 0, hours), [{ from: 12, to: 23 }]);
    assert.deepEqual(sharedLocalHours(0, 180, hours), [{ from: 9, to: 20 }]);
    assert.deepEqual(sharedLocalHours(0, 0, hours), [{ from: 9, to: 23 }]);
    // 12 hours apart: 09-11 and 21-23 of A's day.
    assert.deepEqual(sharedLocalHours(0, 720, hours), [
      { from: 9, to: 11 },
      { from: 21, to: 23 },
    ]);
    // Wrap-around window 08-01, same zone: one range crossing midnight.
    assert.deepEqual(sharedLocalHours(60, 60, { start: 8, end: 1 }), [{ from: 8, to: 1 }]);
  });
});

describe('score: UTC offsets of IANA zones (daylight saving included)', () => {
  const at = (iso: string) => new Date(iso);

  it('reads offsets with and without daylight saving', () => {
    assert.equal(utcOffsetMinutes('Europe/Moscow', at('2024-01-15T12:00:00Z')), 180);
    assert.equal(utcOffsetMinutes('Europe/Moscow', at('2024-07-15T12:00:00Z')), 180);
    assert.equal(utcOffsetMinutes('Europe/London', at('2024-01-15T12:00:00Z')), 0);
    assert.equal(utcOffsetMinutes('Europe/London', at('2024-07-15T12:00:00Z')), 60);
    assert.equal(utcOffsetMinutes('America/New_York', at('2024-01-15T12:00:00Z')), -300);
    assert.equal(utcOffsetMinutes('America/New_York', at('2024-07-15T12:00:00Z')), -240);
    assert.equal(utcOffsetMinutes('Australia/Sydney', at('2024-01-15T12:00:00Z')), 660);
    assert.equal(utcOffsetMinutes('Australia/Sydney', at('2024-07-15T12:00:00Z')), 600);
    assert.equal(utcOffsetMinutes('Asia/Kolkata', at('2024-07-15T12:00:00Z')), 330);
    assert.equal(utcOffsetMinutes('America/St_Johns', at('2024-01-15T12:00:00Z')), -210);
    assert.equal(utcOffsetMinutes('UTC'), 0);
  });

  it('follows the weeks when only one side has switched to summer time', () => {
    const L = wakingMinutes({ start: 9, end: 23 });
    const overlapAt = (iso: string) =>
      wakingOverlap(
        utcOffsetMinutes('Europe/London', at(iso)),
        utcOffsetMinutes('America/New_York', at(iso)),
        L,
      );
    // 5 hours apart in winter and summer; 4 hours apart between 10 and 31 March 2024.
    close(overlapAt('2024-01-15T12:00:00Z'), 9 / 14, 'winter');
    close(overlapAt('2024-03-20T12:00:00Z'), 10 / 14, 'US already on summer time');
    close(overlapAt('2024-04-15T12:00:00Z'), 9 / 14, 'both on summer time');
    // Opposite hemispheres: London / Sydney are 11 h apart in January, 9 h in July.
    const sydney = (iso: string) =>
      wakingOverlap(
        utcOffsetMinutes('Europe/London', at(iso)),
        utcOffsetMinutes('Australia/Sydney', at(iso)),
        L,
      );
    close(sydney('2024-01-15T12:00:00Z'), 4 / 14, 'January: 3 h + 1 h round the back');
    close(sydney('2024-07-15T12:00:00Z'), 5 / 14, 'July');
  });

  it('rejects unknown zones', () => {
    assert.throws(() => utcOffsetMinutes('Mars/Olympus_Mons'), RangeError);
    assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
    assert.equal(isValidTimeZone('Europe/Berlin'), true);
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isAwake, nextWakingTime } from '../../src/time/waking-hours.js';
import { readAgain } from '../../sandbox/crowd-again.js';
import { TEXTS } from '../../src/bot/i18n/index.js';

const DAY_HOURS = { start: 9, end: 23 };
const at = (iso: string) => new Date(iso);

describe('waking hours: who is asleep, and when they wake', () => {
  it('reads the local hour of the person’s zone, daylight saving included', () => {
    // 06:30 UTC is 09:30 in Moscow (UTC+3) and 01:30 in New York in winter (UTC-5).
    assert.equal(isAwake('Europe/Moscow', DAY_HOURS, at('2026-01-15T06:30:00Z')), true);
    assert.equal(isAwake('America/New_York', DAY_HOURS, at('2026-01-15T06:30:00Z')), false);
    // 22:59 local is awake, 23:00 is not (the window's end is exclusive).
    assert.equal(isAwake('Etc/UTC', DAY_HOURS, at('2026-01-15T22:59:00Z')), true);
    assert.equal(isAwake('Etc/UTC', DAY_HOURS, at('2026-01-15T23:00:00Z')), false);
    // A window across midnight: 20:00-04:00.
    assert.equal(isAwake('Etc/UTC', { start: 20, end: 4 }, at('2026-01-15T02:00:00Z')), true);
    assert.equal(isAwake('Etc/UTC', { start: 20, end: 4 }, at('2026-01-15T12:00:00Z')), false);
  });

  it('holds a night arrival until the start of the person’s waking hours', () => {
    // 01:30 in New York: wakes at 09:00 New York time, 14:00 UTC.
    assert.equal(
      nextWakingTime('America/New_York', DAY_HOURS, at('2026-01-15T06:30:42.123Z')),
      Date.parse('2026-01-15T14:00:00Z'),
    );
    // 23:10 in Moscow (20:10 UTC): wakes next morning at 09:00 Moscow, 06:00 UTC.
    assert.equal(
      nextWakingTime('Europe/Moscow', DAY_HOURS, at('2026-01-15T20:10:00Z')),
      Date.parse('2026-01-16T06:00:00Z'),
    );
    // Awake now: no wait.
    const noon = at('2026-01-15T12:00:00Z');
    assert.equal(nextWakingTime('Etc/UTC', DAY_HOURS, noon), noon.getTime());
  });

  it('wakes at the local start across a daylight-saving change', () => {
    // New York falls back on 2027-11-07 (02:00 EDT becomes 01:00 EST). Asleep at 03:00 EDT on
    // the 6th with waking hours 02:00-03:00: wakes at 02:00 EST, 07:00 UTC, not at 06:00 UTC
    // (01:00 EST), where the offset of the 6th would put it.
    const window = { start: 2, end: 3 };
    assert.equal(
      nextWakingTime('America/New_York', window, at('2027-11-06T07:00:00Z')),
      Date.parse('2027-11-07T07:00:00Z'),
    );
    // Springs forward on 2027-03-14 (02:00 EST becomes 03:00 EDT): 09:00 EDT is 13:00 UTC.
    assert.equal(
      nextWakingTime('America/New_York', DAY_HOURS, at('2027-03-14T04:00:00Z')),
      Date.parse('2027-03-14T13:00:00Z'),
    );
    // That day has no 02:00 at all: the next 02:00 is the 15th's, 06:00 UTC (EDT).
    assert.equal(
      nextWakingTime('America/New_York', window, at('2027-03-13T09:00:00Z')),
      Date.parse('2027-03-15T06:00:00Z'),
    );
  });

  it('always lands at the start of the waking hours, within a day where no clock changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-12-31') }),
        fc.constantFrom('Europe/Moscow', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+11'),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 23 }),
        (ms, zone, start, length) => {
          const hours = { start, end: (start + length) % 24 };
          const wake = nextWakingTime(zone, hours, new Date(ms));
          // New York's clocks change: a waking hour the change skips waits for the next day's.
          const days = zone === 'America/New_York' ? 2 : 1;
          assert.ok(wake >= ms && wake - ms <= days * 86_400_000);
          assert.equal(isAwake(zone, hours, new Date(wake)), true);
          if (wake > ms) assert.equal(isAwake(zone, hours, new Date(wake - 60_000)), false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('sandbox crowd: reading chat again', () => {
  for (const language of ['ru', 'en'] as const) {
    const t = TEXTS[language];
    it(`tells an invitation that went nowhere from other messages (${language})`, () => {
      const over = [
        t.againHeld('Bob', '19:00'),
        `${t.againInviterCard('Bob')}\n\n${t.againDeclined('Bob')}`,
        `${t.againInviterCard('Bob')}\n\n${t.againExpiredInviter('Bob')}`,
        t.againPartnerBusy('Bob'),
        t.againBusy,
      ];
      for (const text of over)
        assert.deepEqual(readAgain(text, [], 1, t), [{ kind: 'again.over' }]);
      assert.equal(readAgain(t.againSent, [], 1, t), null);
      assert.deepEqual(readAgain(t.againNone, [], 7, t), [
        { kind: 'again.list', messageId: 7, partnerIds: [] },
      ]);
    });
  }
});

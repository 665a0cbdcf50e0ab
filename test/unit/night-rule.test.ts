import { strict as assert } from 'node:assert';
import { heldNoticeId, nightHandling } from '../../src/notifications/night-rule.js';
import type { Notice } from '../../src/notifications/notifier.js';
import { packCallback, parseCallback } from '../../src/bot/callback-data.js';
import { WAKING_PRESETS } from '../../src/time/personal-hours.js';
import { wakingMinutes } from '../../src/time/waking-hours.js';

describe('the night rule: what may reach someone during their night', () => {
  it('answers to what they just did go now', () => {
    const now: Notice[] = [
      { kind: 'proposal', matchId: 1, partnerId: 2 },
      { kind: 'chat.started', matchId: 1, partnerId: 2 },
      { kind: 'proposal.declined', matchId: 1, role: 'decliner' },
      { kind: 'proposal.expired', matchId: 1, outcome: 'requeue' },
      { kind: 'search.expired', searchId: 'abc', minutes: 10 },
      { kind: 'chat.ended', matchId: 1, by: 'you', rate: true },
      { kind: 'chat.ended', matchId: 1, by: 'partner', rate: true },
    ];
    for (const notice of now) assert.equal(nightHandling(notice), 'now', notice.kind);
  });

  it('what can wait is held until morning; a stale pause end is dropped', () => {
    const held: Notice[] = [
      { kind: 'chat.ended', matchId: 1, by: 'idle', rate: true },
      { kind: 'contact.requested', matchId: 1, round: 1 },
      { kind: 'contact.withdrawn', matchId: 1, round: 1 },
      { kind: 'contact.revealed', matchId: 1, contact: { name: 'A', username: null, tgId: 5 } },
      { kind: 'again.saved', matchId: 1, partnerId: 2 },
      { kind: 'suspension.lifted', suspendedAt: 1 },
      { kind: 'appeal.kept', appealId: 3 },
    ];
    for (const notice of held) assert.equal(nightHandling(notice), 'hold', notice.kind);
    assert.equal(nightHandling({ kind: 'pause.ended', untilMs: 1 }), 'drop');
  });

  it('holds each notice once per person, under an id a queue accepts', () => {
    const a = heldNoticeId(7, { kind: 'again.saved', matchId: 1, partnerId: 2 });
    assert.equal(a, heldNoticeId(7, { kind: 'again.saved', matchId: 1, partnerId: 2 }));
    assert.notEqual(a, heldNoticeId(8, { kind: 'again.saved', matchId: 1, partnerId: 2 }));
    assert.notEqual(
      heldNoticeId(7, { kind: 'contact.requested', matchId: 1, round: 1 }),
      heldNoticeId(7, { kind: 'contact.requested', matchId: 1, round: 2 }),
    );
    assert.doesNotMatch(a, /:/);
  });
});

describe('personal waking hours: the presets and their buttons', () => {
  it('every preset is a real window of 15 to 16 hours', () => {
    for (const hours of WAKING_PRESETS) {
      const minutes = wakingMinutes(hours);
      assert.ok(minutes >= 15 * 60 && minutes <= 16 * 60, JSON.stringify(hours));
    }
  });

  it('the buttons pack and parse back', () => {
    for (const choice of ['menu', 'default', 0, WAKING_PRESETS.length - 1] as const) {
      const data = packCallback({ type: 'hours', choice });
      assert.deepEqual(parseCallback(data), { type: 'hours', choice });
    }
  });
});

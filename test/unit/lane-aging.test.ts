import { strict as assert } from 'node:assert';
import type { Job } from 'bullmq';
import { agingIntervalMs, becameDue } from '../../src/outbound/lane-aging.js';
import type { OutboundMessage } from '../../src/outbound/outbound-message.js';

/** The fields of a BullMQ job the aging round reads. */
const job = (fields: {
  timestamp: number;
  opts?: { delay?: number };
  processedOn?: number;
  delay?: number;
}) => ({ opts: {}, delay: 0, ...fields }) as unknown as Job<OutboundMessage>;

describe('the outbound starvation bound (lane aging)', () => {
  it('counts a job due from when it was queued plus its pacing delay', () => {
    assert.equal(
      becameDue(job({ timestamp: 1_000, opts: { delay: 400 }, delay: 400 }), 9_000),
      1_400,
    );
    assert.equal(becameDue(job({ timestamp: 1_000 }), 9_000), 1_000);
  });

  it('after the sender put a job back (its turn, a retry), from when that delay ended', () => {
    const back = job({ timestamp: 1_000, opts: { delay: 0 }, processedOn: 5_000, delay: 800 });
    assert.equal(becameDue(back, 9_000), 5_800);
  });

  it('never counts a job due in the future (a clock a little ahead)', () => {
    assert.equal(becameDue(job({ timestamp: 10_000 }), 9_000), 9_000);
  });

  it('runs a round every fifth of the bound, within 50 ms and 1 s', () => {
    assert.equal(agingIntervalMs(3_000), 600);
    assert.equal(agingIntervalMs(1_500), 300);
    assert.equal(agingIntervalMs(100), 50);
    assert.equal(agingIntervalMs(600_000), 1_000);
  });
});

import { strict as assert } from 'node:assert';
import { senderLimiter } from '../../src/outbound/paid-broadcast.js';

describe("the outbound sender's rate limiter", () => {
  it('splits the second into tenths, so no message waits a whole second for a window', () => {
    assert.deepEqual(senderLimiter(30), { max: 3, duration: 100 });
    assert.deepEqual(senderLimiter(90), { max: 9, duration: 100 });
    assert.deepEqual(senderLimiter(1030), { max: 103, duration: 100 });
  });

  it('never allows more than the rate asked, and keeps at least one call a window', () => {
    for (const rate of [1, 3, 7, 29, 30, 31, 45, 60, 999, 1030]) {
      const { max, duration } = senderLimiter(rate);
      assert.ok(max >= 1, `rate ${rate}: max ${max}`);
      assert.ok((max * 1000) / duration <= rate + 1e-9, `rate ${rate}: ${max}/${duration} ms`);
      assert.ok((max * 1000) / duration > rate * 0.97, `rate ${rate}: ${max}/${duration} ms`);
      assert.ok(duration <= 1000, `rate ${rate}: a window of ${duration} ms`);
    }
  });
});

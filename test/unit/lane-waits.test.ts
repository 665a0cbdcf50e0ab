import { strict as assert } from 'node:assert';
import { keptUp, laneWaitsBetween, quantileBetween } from '../../sandbox/lane-waits.js';

/** A cumulative histogram over the outbound stage buckets. */
const histogram = (counts: [le: number, atOrBelow: number][]) => new Map(counts);

describe('the other lanes’ waits in a capacity step', () => {
  it('estimates a quantile of the observations between two snapshots, inside its bucket', () => {
    const before = histogram([
      [1_000, 10],
      [2_500, 10],
      [5_000, 10],
      [Infinity, 10],
    ]);
    // 100 more observations: 50 up to 1 s, 40 in (1 s, 2.5 s], 10 in (2.5 s, 5 s].
    const after = histogram([
      [1_000, 60],
      [2_500, 100],
      [5_000, 110],
      [Infinity, 110],
    ]);
    const p95 = quantileBetween(before, after, 0.95);
    assert.equal(p95.count, 100);
    assert.equal(p95.value, 2_500 + (2_500 * 5) / 10);
    assert.equal(quantileBetween(before, after, 0.5).value, 1_000);
    assert.deepEqual(quantileBetween(after, after, 0.95), { count: 0, value: undefined });
  });

  it('gives the lower bound of the open top bucket when the quantile is past the last bound', () => {
    const after = histogram([
      [1_000, 1],
      [30_000, 2],
      [Infinity, 10],
    ]);
    assert.equal(quantileBetween(new Map(), after, 0.95).value, 30_000);
  });

  it('judges each lane against its own bound, and a lane with nothing sent as kept up', () => {
    const empty = histogram([
      [1_000, 0],
      [5_000, 0],
      [10_000, 0],
      [30_000, 0],
      [Infinity, 0],
    ]);
    const slow = histogram([
      [1_000, 0],
      [5_000, 0],
      [10_000, 0],
      [30_000, 20],
      [Infinity, 20],
    ]);
    const waits = laneWaitsBetween(
      { chat: empty, reply: empty, notice: empty },
      { chat: slow, reply: empty, notice: slow },
      { chat: 3_000, reply: 3_000, notice: 20_000 },
    );
    assert.deepEqual(
      waits.map((wait) => [wait.lane, wait.count, keptUp(wait)]),
      [
        ['chat', 20, false],
        ['reply', 0, true],
        ['notice', 20, true],
      ],
    );
  });
});

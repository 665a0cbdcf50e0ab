import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { freePort } from '../../sim-kit/free-port.js';
import { percentile } from '../../sim-kit/percentile.js';
import { compatible, generatePopulation } from '../../sim-kit/population.js';
import { createRandom, weightedPicker, zipfWeights } from '../../sim-kit/random.js';
import { TIME_ZONES } from '../../sim-kit/time-zones.js';
import { parseTimeZone } from '../../src/users/time-zones.js';

describe('the simulation kit shared by the sandbox and the benchmark', () => {
  it('seeded randomness repeats', () => {
    const x = createRandom(9);
    const y = createRandom(9);
    assert.deepEqual(
      [x(), x.int(1, 6), x.logNormal(5, 0.5)],
      [y(), y.int(1, 6), y.logNormal(5, 0.5)],
    );
  });

  it('picks by weight, in proportion', () => {
    const pick = weightedPicker([
      ['a', 1],
      ['b', 3],
    ]);
    const random = createRandom(5);
    const draws = Array.from({ length: 20_000 }, () => pick(random));
    const share = draws.filter((value) => value === 'b').length / draws.length;
    assert.ok(Math.abs(share - 0.75) < 0.02, `share of b ${share}`);
  });

  it('gives Zipf weights that fall with rank', () => {
    assert.deepEqual(zipfWeights(3, 1), [1, 1 / 2, 1 / 3]);
  });

  it('computes nearest-rank percentiles', () => {
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
    assert.equal(percentile([], 50), undefined);
    assert.equal(percentile([10, 1, 5], 50), 5, 'values need not be sorted');
  });

  it('builds the same population from the same seed, with traits from the same stream', () => {
    const options = {
      seed: 3,
      size: 500,
      catalogue: Array.from({ length: 50 }, (_, i) => 50 - i),
      zipf: 1,
      topicCounts: [
        [2, 1],
        [3, 1],
      ] as const,
    };
    const a = generatePopulation(options, (random) => ({ mood: random() }));
    const b = generatePopulation(options, (random) => ({ mood: random() }));
    assert.deepEqual(a, b);
    for (const person of a) {
      assert.ok(person.topicIds.length === 2 || person.topicIds.length === 3);
      assert.deepEqual(
        person.topicIds,
        [...new Set(person.topicIds)].sort((x, y) => x - y),
      );
    }
    // The catalogue's first id is the most popular one.
    const count = (id: number) => a.filter((person) => person.topicIds.includes(id)).length;
    assert.ok(count(50) > 3 * count(1), `first ${count(50)} vs last ${count(1)}`);
  });

  it('lives in time zones the bot understands when they are typed', () => {
    for (const [zone] of TIME_ZONES) assert.ok(parseTimeZone(zone), zone);
  });

  it('applies the matching rule: at least two shared topics', () => {
    assert.equal(compatible([1, 2, 3], [2, 3, 9]), true);
    assert.equal(compatible([1, 2, 3], [3, 4]), false);
  });

  it('finds a free port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

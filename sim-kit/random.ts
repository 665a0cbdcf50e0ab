/**
 * Seeded randomness for simulations: the same seed gives the same people and the same
 * choices (mulberry32: small, fast and good enough for simulation; Math.random cannot be
 * seeded). A Random is itself the uniform draw, `random()` in [0, 1), with helpers on it.
 */
export interface Random {
  (): number;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** Exponential with the given mean: waiting times of a Poisson process. */
  exponential(mean: number): number;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const normal = () => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return Object.assign(next, {
    int,
    chance: (probability: number) => next() < probability,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    logNormal: (median: number, sigma: number) => median * Math.exp(sigma * normal()),
    exponential: (mean: number) => -mean * Math.log(1 - next()),
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  });
}

/**
 * Picks from [value, weight] pairs (weights need not sum to 1) by a binary search over the
 * cumulative weights, so a catalogue of hundreds of topics costs a few steps per draw.
 */
export function weightedPicker<T>(
  entries: readonly (readonly [T, number])[],
): (random: () => number) => T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const [, weight] of entries) cumulative.push((sum += weight / total));
  return (random) => {
    const target = random();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return entries[low]![0];
  };
}

/** Zipf-like popularity of ranks 1..count: weight(rank) = 1 / rank^exponent. */
export function zipfWeights(count: number, exponent: number): number[] {
  return Array.from({ length: count }, (_, rank) => 1 / Math.pow(rank + 1, exponent));
}

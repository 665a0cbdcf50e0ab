/**
 * The synthetic population: 500 topics with Zipf-like popularity, 100,000 users with about
 * five topics each and a spread of time zones shaped like a Russian-speaking audience.
 * Deterministic for a given seed, so two runs load the same people.
 */

export interface BenchUser {
  /** 0-based index; the database id is assigned on insert. */
  index: number;
  tgId: number;
  firstName: string;
  language: 'ru' | 'en';
  tz: string;
  helpfulness: number;
  /** Topic ranks (1 = most popular), sorted ascending. */
  topicRanks: number[];
}

export interface PopulationOptions {
  users: number;
  topics: number;
  seed: number;
  /** Zipf exponent of topic popularity; 1 gives "a few topics very common, a long tail". */
  zipf: number;
}

/** Share of users per number of chosen topics: mean 5.0, never fewer than the required 2. */
export const TOPIC_COUNTS: readonly [number, number][] = [
  [2, 0.08],
  [3, 0.14],
  [4, 0.2],
  [5, 0.22],
  [6, 0.16],
  [7, 0.11],
  [8, 0.09],
];

/** Where users live: mostly Russian time zones, some neighbours and a diaspora further away. */
export const TIME_ZONES: readonly [string, number][] = [
  ['Europe/Moscow', 0.44],
  ['Europe/Kaliningrad', 0.02],
  ['Europe/Samara', 0.04],
  ['Asia/Yekaterinburg', 0.08],
  ['Asia/Omsk', 0.03],
  ['Asia/Novosibirsk', 0.05],
  ['Asia/Krasnoyarsk', 0.03],
  ['Asia/Irkutsk', 0.02],
  ['Asia/Vladivostok', 0.02],
  ['Europe/Minsk', 0.04],
  ['Europe/Kyiv', 0.03],
  ['Asia/Almaty', 0.03],
  ['Asia/Tashkent', 0.02],
  ['Asia/Tbilisi', 0.01],
  ['Asia/Yerevan', 0.01],
  ['Europe/Istanbul', 0.01],
  ['Europe/Berlin', 0.03],
  ['Europe/London', 0.02],
  ['Asia/Dubai', 0.01],
  ['Asia/Bangkok', 0.01],
  ['America/New_York', 0.02],
  ['America/Los_Angeles', 0.01],
  ['Asia/Tokyo', 0.01],
];

/** mulberry32: a small, fast, seedable PRNG; Math.random cannot be seeded. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from [value, weight] pairs by cumulative weight. */
export function createWeightedPicker<T>(
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

/** Popularity weights of topic ranks 1..n: weight(rank) = 1 / rank^s. */
export function zipfWeights(n: number, s: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [i + 1, 1 / Math.pow(i + 1, s)] as [number, number]);
}

export function generatePopulation(options: PopulationOptions): BenchUser[] {
  const random = createRandom(options.seed);
  const pickTopic = createWeightedPicker(zipfWeights(options.topics, options.zipf));
  const pickCount = createWeightedPicker(TOPIC_COUNTS);
  const pickZone = createWeightedPicker(TIME_ZONES);
  const users: BenchUser[] = [];
  for (let index = 0; index < options.users; index += 1) {
    const count = Math.min(pickCount(random), options.topics);
    const chosen = new Set<number>();
    // Weighted sampling without replacement: redraw duplicates.
    while (chosen.size < count) chosen.add(pickTopic(random));
    // Helpfulness starts at 0.5 and drifts with ratings: mostly near the middle.
    const helpfulness = Math.min(1, Math.max(0, 0.5 + (random() + random() + random() - 1.5) / 3));
    users.push({
      index,
      tgId: 7_000_000_000 + index,
      firstName: `Bench${index}`,
      language: random() < 0.85 ? 'ru' : 'en',
      tz: pickZone(random),
      helpfulness: Math.round(helpfulness * 1000) / 1000,
      topicRanks: [...chosen].sort((a, b) => a - b),
    });
  }
  return users;
}

/** True when two sorted rank lists share at least two topics: the matching rule. */
export function compatible(a: readonly number[], b: readonly number[]): boolean {
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared += 1;
      if (shared >= 2) return true;
      i += 1;
      j += 1;
    } else if (a[i]! < b[j]!) i += 1;
    else j += 1;
  }
  return false;
}

/**
 * Up to `limit` users no two of whom share two topics, taken greedily from the least
 * connected (fewest topics) first. Such users can all wait at once: none can be matched
 * with another, so the pool really holds them all.
 */
export function mutuallyIncompatible(users: readonly BenchUser[], limit: number): BenchUser[] {
  const pairKey = (a: number, b: number) => a * 100_003 + b;
  const used = new Set<number>();
  const chosen: BenchUser[] = [];
  // Fewest topics first, then the least popular ones: they block the fewest others.
  const rarity = (user: BenchUser) =>
    user.topicRanks.reduce((sum, rank) => sum - Math.log(rank), 0);
  const ordered = [...users].sort(
    (a, b) => a.topicRanks.length - b.topicRanks.length || rarity(a) - rarity(b),
  );
  for (const user of ordered) {
    if (chosen.length >= limit) break;
    const pairs: number[] = [];
    const ranks = user.topicRanks;
    for (let i = 0; i < ranks.length; i += 1) {
      for (let j = i + 1; j < ranks.length; j += 1) pairs.push(pairKey(ranks[i]!, ranks[j]!));
    }
    if (pairs.some((pair) => used.has(pair))) continue;
    for (const pair of pairs) used.add(pair);
    chosen.push(user);
  }
  return chosen;
}

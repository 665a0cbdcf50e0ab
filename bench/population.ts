/**
 * The synthetic population: 500 topics with Zipf-like popularity, 100,000 users with about
 * five topics each and the simulation kit's spread of time zones. Deterministic for a given
 * seed, so two runs load the same people.
 */
import { generatePopulation as generatePeople } from '../sim-kit/population.js';

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
const TOPIC_COUNTS: readonly [number, number][] = [
  [2, 0.08],
  [3, 0.14],
  [4, 0.2],
  [5, 0.22],
  [6, 0.16],
  [7, 0.11],
  [8, 0.09],
];

/**
 * The simulation kit's population with the benchmark's numbering: topic ids are popularity
 * ranks (the bench seeds its catalogue that way), Telegram ids start at 7,000,000,000.
 */
export function generatePopulation(options: PopulationOptions): BenchUser[] {
  const catalogue = Array.from({ length: options.topics }, (_, i) => i + 1);
  return generatePeople(
    {
      seed: options.seed,
      size: options.users,
      catalogue,
      zipf: options.zipf,
      topicCounts: TOPIC_COUNTS,
    },
    (random) => {
      // Helpfulness starts at 0.5 and drifts with ratings: mostly near the middle.
      const helpfulness = Math.min(
        1,
        Math.max(0, 0.5 + (random() + random() + random() - 1.5) / 3),
      );
      return { helpfulness: Math.round(helpfulness * 1000) / 1000 };
    },
  ).map((person) => ({
    index: person.index,
    tgId: 7_000_000_000 + person.index,
    firstName: `Bench${person.index}`,
    language: person.languageCode,
    tz: person.timeZone,
    helpfulness: person.helpfulness,
    topicRanks: person.topicIds,
  }));
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

import { createRandom, weightedPicker, zipfWeights, type Random } from './random.js';
import { TIME_ZONES } from './time-zones.js';

/** Who a simulated person is, as far as matching is concerned. */
export interface SimPerson {
  /** 0-based position in the population. */
  index: number;
  languageCode: 'ru' | 'en';
  /** Catalogue topic ids, ascending, never repeated. */
  topicIds: number[];
  timeZone: string;
}

export interface PopulationOptions {
  seed: number;
  size: number;
  /** Topic ids, the most popular first: popularity falls along this order by Zipf. */
  catalogue: readonly number[];
  /** Zipf exponent of topic popularity; about 1 gives "a few very common, a long tail". */
  zipf: number;
  /** [number of topics, weight] pairs: how many topics a person picks. */
  topicCounts: readonly (readonly [number, number])[];
}

/** Share of people who use the bot in English; the rest use Russian. */
const ENGLISH_SHARE = 0.15;

/**
 * Builds a population from a seed, the same one every time: languages, Zipf-skewed topics
 * (weighted sampling without replacement) and time zones. `traits` adds what the caller's
 * simulation needs per person, drawing from the same seeded stream.
 */
export function generatePopulation<T>(
  options: PopulationOptions,
  traits: (random: Random, person: SimPerson) => T,
): (SimPerson & T)[] {
  const random = createRandom(options.seed);
  const weights = zipfWeights(options.catalogue.length, options.zipf);
  const pickTopic = weightedPicker(options.catalogue.map((id, rank) => [id, weights[rank]!]));
  const pickCount = weightedPicker(options.topicCounts);
  const pickZone = weightedPicker(TIME_ZONES);
  return Array.from({ length: options.size }, (_, index) => {
    const count = Math.min(pickCount(random), options.catalogue.length);
    const topics = new Set<number>();
    while (topics.size < count) topics.add(pickTopic(random));
    const person: SimPerson = {
      index,
      languageCode: random.chance(ENGLISH_SHARE) ? 'en' : 'ru',
      topicIds: [...topics].sort((a, b) => a - b),
      timeZone: pickZone(random),
    };
    return { ...person, ...traits(random, person) };
  });
}

/** True when two ascending topic lists share at least two topics: the matching rule. */
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

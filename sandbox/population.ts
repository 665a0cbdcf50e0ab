import { generatePopulation, type SimPerson } from '../sim-kit/population.js';
import { createRandom, weightedPicker, type Random } from '../sim-kit/random.js';

/** One simulated person: who they are and how they tend to behave. */
export interface PersonProfile extends SimPerson {
  telegramId: number;
  firstName: string;
  /** How willing they are to accept a proposal, 0.6..1 (multiplies the match-quality odds). */
  openness: number;
  /** Median seconds before they answer a proposal. */
  answerDelaySeconds: number;
  /** Chance that they do not answer a proposal at all (it then expires). */
  ignoreChance: number;
}

const RU_NAMES = [
  'Анна',
  'Иван',
  'Мария',
  'Дмитрий',
  'Елена',
  'Сергей',
  'Ольга',
  'Алексей',
  'Наталья',
  'Михаил',
  'Татьяна',
  'Андрей',
  'Ксения',
  'Павел',
  'Юлия',
  'Никита',
  'Дарья',
  'Артём',
];
const EN_NAMES = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'James',
  'Mia',
  'Lucas',
  'Sofia',
  'Ethan',
  'Chloe',
  'Leo',
];

/** How many topics a person picks: 2 to 6, most often 3 or 4. */
const TOPIC_COUNTS = [
  [2, 2],
  [3, 4],
  [4, 4],
  [5, 3],
  [6, 1],
] as const;

/** Most people rarely leave a proposal unanswered; a few often do. */
const pickIgnoreChance = weightedPicker([
  [0.02, 6],
  [0.08, 3],
  [0.25, 1],
]);

function traits(random: Random, person: SimPerson, firstTelegramId: number) {
  return {
    telegramId: firstTelegramId + person.index,
    firstName: random.pick(person.languageCode === 'en' ? EN_NAMES : RU_NAMES),
    openness: 0.6 + 0.4 * random(),
    answerDelaySeconds: random.logNormal(6, 0.6),
    ignoreChance: pickIgnoreChance(random),
  };
}

/**
 * Builds the crowd from a seed with the simulation kit. Topic popularity is skewed (Zipf
 * over the catalogue in a seeded random order), so a few topics are very common and most
 * are rare, as in real interest data.
 */
export function createPopulation(options: {
  seed: number;
  size: number;
  topicIds: readonly number[];
  firstTelegramId?: number;
}): PersonProfile[] {
  const firstTelegramId = options.firstTelegramId ?? 5_000_000_000;
  return generatePopulation(
    {
      seed: options.seed,
      size: options.size,
      // A stream of its own, so the catalogue order does not echo the people's draws.
      catalogue: createRandom(options.seed ^ 0x70_91c5).shuffle(options.topicIds),
      zipf: 0.9,
      topicCounts: TOPIC_COUNTS,
    },
    (random, person) => traits(random, person, firstTelegramId),
  );
}

import { createRandom, zipfWeights, type Random } from './random.js';

/** One simulated person: who they are and how they tend to behave. */
export interface PersonProfile {
  index: number;
  telegramId: number;
  firstName: string;
  languageCode: 'ru' | 'en';
  /** Catalogue topic ids, 2 to 6 of them. */
  topicIds: number[];
  timeZone: string;
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

// Where the crowd lives: mostly Russian time zones, some European and American ones.
const ZONES = [
  ['Europe/Moscow', 40],
  ['Europe/Samara', 6],
  ['Asia/Yekaterinburg', 8],
  ['Asia/Novosibirsk', 6],
  ['Asia/Vladivostok', 3],
  ['Europe/Kaliningrad', 3],
  ['Europe/Minsk', 5],
  ['Asia/Almaty', 4],
  ['Europe/Berlin', 8],
  ['Europe/London', 6],
  ['America/New_York', 5],
  ['America/Los_Angeles', 2],
  ['Asia/Kolkata', 2],
  ['Australia/Sydney', 2],
] as const;

/**
 * Builds the crowd from a seed. Topic popularity is skewed (Zipf over the catalogue), so a
 * few topics are very common and most are rare, as in real interest data.
 */
export function createPopulation(options: {
  seed: number;
  size: number;
  topicIds: readonly number[];
  firstTelegramId?: number;
}): PersonProfile[] {
  const random = createRandom(options.seed);
  const shuffled = shuffle(random, options.topicIds);
  const weights = zipfWeights(shuffled.length, 0.9);
  return Array.from({ length: options.size }, (_, index) => {
    const english = random.chance(0.15);
    const count = random.weighted([2, 3, 4, 5, 6], [2, 4, 4, 3, 1]);
    const topics = new Set<number>();
    while (topics.size < Math.min(count, shuffled.length)) {
      topics.add(random.weighted(shuffled, weights));
    }
    return {
      index,
      telegramId: (options.firstTelegramId ?? 5_000_000_000) + index,
      firstName: random.pick(english ? EN_NAMES : RU_NAMES),
      languageCode: english ? 'en' : 'ru',
      topicIds: [...topics].sort((a, b) => a - b),
      timeZone: random.weighted(
        ZONES.map(([zone]) => zone),
        ZONES.map(([, weight]) => weight),
      ),
      openness: 0.6 + 0.4 * random.next(),
      answerDelaySeconds: random.logNormal(6, 0.6),
      ignoreChance: random.weighted([0.02, 0.08, 0.25], [6, 3, 1]),
    };
  });
}

function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

import { en } from './en.js';
import { ru, type Texts } from './ru.js';

export type { Texts };
export type Language = 'ru' | 'en';

export const TEXTS: Record<Language, Texts> = { ru, en };

/** Russian by default; English when Telegram says the user's language is English. */
export function languageOf(languageCode: string | undefined): Language {
  return languageCode?.toLowerCase().startsWith('en') ? 'en' : 'ru';
}

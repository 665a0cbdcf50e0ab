import type { BotCommand } from './telegram-types.js';

/**
 * Bot-wide settings that only need to be stored and read back: commands per scope and
 * language, descriptions, name and the menu button.
 */
export class BotSettingsStore {
  readonly commands = new Map<string, BotCommand[]>();
  readonly texts = new Map<string, string>();
  readonly menuButtons = new Map<string, unknown>();

  /** Key of a (scope, language) pair; key order inside the scope object must not matter. */
  static commandKey(scope: unknown, languageCode: string): string {
    const normalized = Object.entries((scope ?? { type: 'default' }) as Record<string, unknown>)
      .filter(([, value]) => value != null)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `${JSON.stringify(normalized)}|${languageCode}`;
  }
}

import { isValidTimeZone } from '../time/waking-hours.js';

/** Zones offered as buttons, by the user's language: the likeliest first. */
export const SUGGESTED_ZONES: Record<'ru' | 'en', readonly string[]> = {
  ru: [
    'Europe/Moscow',
    'Europe/Kaliningrad',
    'Europe/Samara',
    'Asia/Yekaterinburg',
    'Asia/Novosibirsk',
    'Asia/Vladivostok',
    'Europe/Minsk',
    'Asia/Almaty',
  ],
  en: [
    'Europe/London',
    'Europe/Berlin',
    'America/New_York',
    'America/Chicago',
    'America/Los_Angeles',
    'Asia/Kolkata',
    'Asia/Singapore',
    'Australia/Sydney',
  ],
};

export const DEFAULT_ZONE: Record<'ru' | 'en', string> = {
  ru: 'Europe/Moscow',
  en: 'Europe/London',
};

// Offsets with no Etc/GMT zone (those cover whole hours only): a zone that uses each.
const FRACTIONAL: Record<string, string> = {
  '-570': 'Pacific/Marquesas',
  '-210': 'America/St_Johns',
  '210': 'Asia/Tehran',
  '270': 'Asia/Kabul',
  '330': 'Asia/Kolkata',
  '345': 'Asia/Kathmandu',
  '390': 'Asia/Yangon',
  '525': 'Australia/Eucla',
  '570': 'Australia/Darwin',
  '630': 'Australia/Lord_Howe',
  '765': 'Pacific/Chatham',
};

let zoneNames: Map<string, string> | undefined;

function canonicalZones(): Map<string, string> {
  zoneNames ??= new Map(
    Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone] as const),
  );
  return zoneNames;
}

/**
 * Reads what a user typed as a time zone: an IANA name in any case ("europe/berlin"), or a
 * UTC offset ("UTC+3", "GMT-05:30", "+3"). Returns an IANA zone name, or null.
 */
export function parseTimeZone(input: string): string | null {
  const text = input.trim();
  const named = canonicalZones().get(text.toLowerCase()) ?? (isValidTimeZone(text) ? text : null);
  if (named && text.includes('/')) return named;
  const offset = /^(?:utc|gmt)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(text);
  if (!offset) return named;
  const sign = offset[1] === '+' ? 1 : -1;
  const hours = Number(offset[2]);
  const minutes = Number(offset[3] ?? 0);
  if (hours > 14 || minutes >= 60) return null;
  const total = sign * (hours * 60 + minutes);
  if (minutes === 0) {
    // Etc/GMT names have the sign inverted: Etc/GMT-3 is UTC+3.
    return total === 0 ? 'Etc/UTC' : `Etc/GMT${sign > 0 ? '-' : '+'}${hours}`;
  }
  return FRACTIONAL[String(total)] ?? null;
}

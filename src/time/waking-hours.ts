// Waking hours and time zones for the service: a zone's UTC offset, the waking window's
// length, the hours two users share. The score's overlap term is SQL (waking_overlap in
// src/db/functions), which takes the offsets and the window length computed here.

/**
 * Length of a waking window such as 09:00-23:00 in minutes; windows may cross midnight
 * (08:00-01:00 is 17 hours). A window whose ends coincide round the clock (00:00-24:00)
 * is the whole day, not an empty one: config refuses a truly empty range.
 */
export function wakingMinutes(hours: { start: number; end: number }): number {
  const span = (((hours.end - hours.start) % 24) + 24) % 24;
  return (span === 0 ? 24 : span) * 60;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The UTC offset of an IANA zone at `at`, in minutes (Moscow: 180), daylight saving
 * included. @throws RangeError for an unknown zone.
 */
export function utcOffsetMinutes(timeZone: string, at: Date = new Date()): number {
  let format = offsetFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, format);
  }
  const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name);
  if (!match) throw new RangeError(`cannot read the UTC offset of ${timeZone}`);
  if (!match[1]) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** True for a time zone name the runtime knows (IANA names such as Europe/Berlin). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    utcOffsetMinutes(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The waking hours two users share, as local hours of `offsetA` (e.g. [{from: 9, to: 20}]),
 * for the "why this match" line. Empty when the windows do not meet.
 */
export function sharedLocalHours(
  offsetA: number,
  offsetB: number,
  hours: { start: number; end: number },
): { from: number; to: number }[] {
  const shared: boolean[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const inA = isWaking(hour, hours);
    const hourForB = ((((hour * 60 - offsetA + offsetB) / 60) % 24) + 24) % 24;
    shared.push(inA && isWaking(Math.floor(hourForB), hours));
  }
  const ranges: { from: number; to: number }[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    if (!shared[hour] || shared[(hour + 23) % 24]) continue;
    let end = hour;
    while (shared[(end + 1) % 24] && (end + 1) % 24 !== hour) end += 1;
    ranges.push({ from: hour, to: (end + 1) % 24 });
  }
  if (!ranges.length && shared.every(Boolean)) ranges.push({ from: 0, to: 0 });
  return ranges;
}

export function isWaking(hour: number, hours: { start: number; end: number }): boolean {
  // 24:00 is midnight; equal ends after that are the whole day (see wakingMinutes).
  const start = hours.start % 24;
  const end = hours.end % 24;
  if (start === end) return true;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

/** The user's local minute of the day at `at` (0..1439), 0 offset for an unknown zone. */
function localMinuteOfDay(timeZone: string, at: Date): number {
  const offset = offsetOrZero(timeZone, at);
  const utcMinute = at.getUTCHours() * 60 + at.getUTCMinutes();
  return (((utcMinute + offset) % 1440) + 1440) % 1440;
}

/** True when `at` falls inside the waking hours of someone living in `timeZone`. */
export function isAwake(
  timeZone: string,
  hours: { start: number; end: number },
  at: Date = new Date(),
): boolean {
  return isWaking(Math.floor(localMinuteOfDay(timeZone, at) / 60), hours);
}

/**
 * When someone living in `timeZone` next wakes (their waking hours start), in epoch ms; `at`
 * itself while they are awake. Held proposals and notices are delivered then.
 */
export function nextWakingTime(
  timeZone: string,
  hours: { start: number; end: number },
  at: Date = new Date(),
): number {
  if (isAwake(timeZone, hours, at)) return at.getTime();
  const minute = localMinuteOfDay(timeZone, at);
  const startMinute = (hours.start % 24) * 60;
  const wait = (((startMinute - minute) % 1440) + 1440) % 1440;
  // To the start of that minute, so the hold ends exactly as the waking hours begin.
  const guess = at.getTime() + wait * 60_000 - at.getUTCSeconds() * 1000 - at.getUTCMilliseconds();
  // The wait was counted at today's offset: a daylight-saving change on the way moves the
  // waking hours' start by as much in UTC.
  const wake =
    guess + (offsetOrZero(timeZone, at) - offsetOrZero(timeZone, new Date(guess))) * 60_000;
  if (wake > at.getTime() && isAwake(timeZone, hours, new Date(wake))) return wake;
  // The change skipped the start hour (clocks forward over it): the first quarter hour awake
  // after `at`, the next day at the latest. Every zone's offset is whole quarter hours.
  let next = Math.ceil((at.getTime() + 1) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const limit = next + 2 * 86_400_000;
  while (next < limit && !isAwake(timeZone, hours, new Date(next))) next += QUARTER_HOUR_MS;
  return next;
}

const QUARTER_HOUR_MS = 15 * 60_000;

/** The zone's UTC offset at `at` in minutes; 0 for an unknown zone, as in the score. */
function offsetOrZero(timeZone: string, at: Date): number {
  try {
    return utcOffsetMinutes(timeZone, at);
  } catch {
    return 0;
  }
}

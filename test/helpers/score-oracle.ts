/**
 * The sprint document's score in TypeScript: a test oracle for the SQL functions match_score
 * and waking_overlap (src/db/functions), which are the only definitions the service uses.
 * test/unit/score.test.ts checks these against hand-computed cases and a minute-by-minute
 * count; the integration tests check the SQL against these on generated cases.
 */

/**
 * 0.6*min(shared/5, 1) + 0.2*time_overlap + 0.2*helpfulness, plus 0.1 when one of the pair
 * can help with a shared topic the other wants to learn (`mentoring`), capped at 1. Inputs are
 * clamped so a bad helpfulness cannot push a score outside 0..1.
 */
export function matchScore(
  shared: number,
  timeOverlap: number,
  helpfulness: number,
  mentoring = false,
): number {
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  const base = 0.6 * Math.min(shared / 5, 1) + 0.2 * clamp(timeOverlap) + 0.2 * clamp(helpfulness);
  return Math.min(1, base + (mentoring ? 0.1 : 0));
}

/**
 * Share of two users' waking windows (same local hours, different UTC offsets) that
 * coincide, in closed form: only the offset difference d, taken round the clock, matters.
 */
export function wakingOverlap(offsetA: number, offsetB: number, windowMinutes: number): number {
  if (windowMinutes <= 0) return 0;
  const raw = Math.abs(offsetA - offsetB) % 1440;
  const d = Math.min(raw, 1440 - raw);
  const overlap = Math.max(0, windowMinutes - d) + Math.max(0, windowMinutes - 1440 + d);
  return Math.min(1, overlap / windowMinutes);
}

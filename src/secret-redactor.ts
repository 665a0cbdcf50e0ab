import { CENSOR } from './log-sanitizer.js';

/**
 * Shorter values are not redacted by value: a four-letter password would blank out every
 * occurrence of a common word. They are still masked inside URLs and under secret keys.
 */
export const MIN_SECRET_LENGTH = 6;

/** `scheme://user:password@`: whatever the URL, the password never reaches a log. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@"'\\]*):[^\s/@"'\\]*@/gi;
/** A Bot API URL carries the bot token in its path, configured or not (the sandbox's own). */
const BOT_API_PATH = /\/bot\d+:[A-Za-z0-9_-]+/g;

const escapeJson = (value: string) => JSON.stringify(value).slice(1, -1);

/** Every spelling a value takes in a JSON log line: as is, JSON-escaped, percent-encoded. */
function spellings(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  return [...new Set([secret, escapeJson(secret), encoded, escapeJson(encoded)])];
}

/**
 * Replaces the configured secrets wherever they appear in a finished log line (in a message,
 * a stack, an error's text), however deep and under whatever key; masks passwords in URLs
 * and tokens in Bot API paths.
 */
export function createSecretRedactor(secrets: readonly string[]): (line: string) => string {
  const needles = [
    ...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(spellings)),
  ].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line.replace(URL_USERINFO, '$1:***@').replace(BOT_API_PATH, `/bot${CENSOR}`);
    for (const needle of needles) {
      if (out.includes(needle)) out = out.split(needle).join(CENSOR);
    }
    return out;
  };
}

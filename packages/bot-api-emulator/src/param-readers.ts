import { apiErrors } from './bot-api-error.js';
import type { ApiParams } from './telegram-types.js';

/**
 * Typed access to call parameters. JSON bodies carry real numbers and objects, but form and
 * query parameters are strings (objects JSON-serialized), so every reader accepts both, as
 * Telegram does.
 */

const invalid = (name: string) => apiErrors.badRequest(`invalid ${name} specified`);

export function readString(params: ApiParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(name);
}

export function readInteger(params: ApiParams, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) throw invalid(name);
  return number;
}

export function readBoolean(params: ApiParams, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 1) return true;
  if (value === 'false' || value === '0' || value === 0) return false;
  throw invalid(name);
}

/** An object or array parameter; strings are parsed as JSON (form encoding). */
export function readJson(params: ApiParams, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw apiErrors.badRequest(`can't parse ${name} JSON object`);
  }
}

/**
 * A chat identifier. Private chats have the user's numeric id; `@username` only addresses
 * public groups and channels, which the emulator has none of, so it is "chat not found".
 */
export function readChatId(params: ApiParams, name = 'chat_id'): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw apiErrors.missingParam(name);
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw apiErrors.chatNotFound();
  return number;
}

export function readMessageId(params: ApiParams, name = 'message_id'): number {
  const id = readInteger(params, name);
  if (id === undefined) throw apiErrors.badRequest('message identifier is not specified');
  return id;
}

export function requireString(params: ApiParams, name: string): string {
  const value = readString(params, name);
  if (value === undefined || value === '') throw apiErrors.missingParam(name);
  return value;
}

/** An array of strings such as `allowed_updates`. */
export function readStringArray(params: ApiParams, name: string): string[] | undefined {
  const value = readJson(params, name);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(name);
  }
  return value as string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

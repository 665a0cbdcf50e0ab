import type { IncomingMessage } from 'node:http';
import { BotApiError } from './bot-api-error.js';
import { multipartBoundary, parseMultipart } from './multipart-parser.js';
import type { ApiParams } from './telegram-types.js';

/** A file sent in a multipart request. */
export interface UploadedFile {
  /** The part name: grammY uses a random id referenced as `attach://<id>` from a field. */
  partName: string;
  fileName: string;
  data: Buffer;
}

/** The parameters of one HTTP call plus any uploaded files, keyed by part name. */
export interface ParsedRequest {
  params: ApiParams;
  files: Map<string, UploadedFile>;
}

/** Telegram accepts uploads of up to 50 MB; a little headroom covers the multipart framing. */
export const MAX_BODY_BYTES = 52 * 1024 * 1024;

/**
 * Reads the parameters of a Bot API request the way Telegram does: query string first, then the
 * body (JSON, url-encoded form or multipart form) on top. Form values stay strings; the method
 * handlers coerce them (objects arrive JSON-serialized in forms, as grammY sends them).
 */
export async function readRequest(request: IncomingMessage, url: URL): Promise<ParsedRequest> {
  const params: ApiParams = Object.fromEntries(url.searchParams);
  const files = new Map<string, UploadedFile>();
  const body = await readBody(request);
  if (body.length === 0) return { params, files };
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    const boundary = multipartBoundary(request.headers['content-type'] ?? '');
    if (!boundary) throw new BotApiError(400, 'Bad Request: multipart boundary is missing');
    let parts;
    try {
      parts = parseMultipart(body, boundary);
    } catch {
      throw new BotApiError(400, 'Bad Request: malformed multipart/form-data body');
    }
    for (const part of parts) {
      if (part.fileName === undefined) params[part.name] = part.data.toString('utf8');
      else files.set(part.name, { partName: part.name, fileName: part.fileName, data: part.data });
    }
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else {
    // JSON is the default, as with Telegram: clients that omit the content type still work.
    Object.assign(params, parseJsonObject(body));
  }
  return { params, files };
}

function parseJsonObject(body: Buffer): ApiParams {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BotApiError(400, "Bad Request: can't parse JSON object");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BotApiError(400, "Bad Request: can't parse JSON object");
  }
  return value as ApiParams;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BotApiError(413, 'Request Entity Too Large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

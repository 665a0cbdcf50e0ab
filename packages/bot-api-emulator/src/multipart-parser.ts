/**
 * A small multipart/form-data parser: enough for what Bot API clients send (text fields plus
 * file parts), without pulling in a dependency. grammY writes its headers in lower case with no
 * spaces and an unquoted filename, other clients use the browser style; both are accepted.
 */
export interface MultipartPart {
  name: string;
  /** Present for file parts only. */
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Extracts the boundary from a `multipart/form-data; boundary=...` content type. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits a complete multipart body into its parts; throws on a malformed body. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const opening = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(opening);
  if (position < 0) throw new Error('multipart body has no boundary');
  position += opening.length;
  for (;;) {
    // "--" right after a delimiter closes the body.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts;
    if (body.subarray(position, position + 2).equals(CRLF)) position += 2;
    const end = body.indexOf(separator, position);
    if (end < 0) throw new Error('multipart body is not terminated');
    parts.push(parsePart(body.subarray(position, end)));
    position = end + separator.length;
  }
}

function parsePart(raw: Buffer): MultipartPart {
  const headerEnd = raw.indexOf(HEADER_END);
  if (headerEnd < 0) throw new Error('multipart part has no header block');
  const headers = raw.subarray(0, headerEnd).toString('utf8').split('\r\n');
  const data = raw.subarray(headerEnd + HEADER_END.length);
  let name: string | undefined;
  let fileName: string | undefined;
  let contentType: string | undefined;
  for (const line of headers) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key !== 'content-disposition') continue;
    name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1];
    const file = /(?:^|;)\s*filename=(?:"([^"]*)"|([^;]*))/i.exec(value);
    if (file) fileName = (file[1] ?? file[2] ?? '').trim();
  }
  if (name === undefined) throw new Error('multipart part has no name');
  const part: MultipartPart = { name, data };
  if (fileName !== undefined) part.fileName = fileName;
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}

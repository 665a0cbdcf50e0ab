import { request } from 'node:http';

const hex = (char: string, upper = false) => {
  const code = char.charCodeAt(0).toString(16);
  return `%${upper ? code.toUpperCase() : code}`;
};
const alternating = (value: string) =>
  [...value].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
const capitalised = (value: string) =>
  value.replace(/\/(\w)/g, (_, c: string) => `/${c.toUpperCase()}`);

/**
 * Spellings of `path` that a router, a proxy or a framework may treat as the same path: case,
 * trailing and doubled slashes, dot segments (plain and encoded), percent-encoding of letters
 * and of slashes, backslashes, `;` parameters, a query, and the absolute request form.
 */
export function pathVariants(path: string): string[] {
  const segments = path.split('/').slice(1);
  const first = segments[0]!;
  const last = segments.at(-1)!;
  const head = segments.slice(0, -1).join('/');
  const prefix = head ? `/${head}` : '';
  return [
    ...new Set([
      path,
      `${path}?via=query`,
      path.toUpperCase(),
      alternating(path),
      capitalised(path),
      `${path}/`,
      `${path}//`,
      `/${path}`,
      path.replaceAll('/', '//'),
      `${path}/.`,
      `${path}/./`,
      `/.${path}`,
      `${prefix}/./${last}`,
      `/x/..${path}`,
      `${path}/../${last}`,
      `${prefix}/%2e/${last}`,
      `${prefix}/%2E%2E${path}`,
      `${prefix}/${hex(last[0]!)}${last.slice(1)}`,
      `${prefix}/${hex(last[0]!, true)}${last.slice(1)}`,
      `/${[...first].map((c) => hex(c)).join('')}${path.slice(first.length + 1)}`,
      `${prefix}/%25${hex(last[0]!).slice(1)}${last.slice(1)}`,
      head ? `${prefix}%2f${last}` : `%2f${last}`,
      head ? `${prefix}%2F${last}` : `%2F${last}`,
      head ? `${prefix}\\${last}` : `\\${last}`,
      `${path};x=1`,
      `${path};`,
      `/${first};x=1${path.slice(first.length + 1)}`,
      `${path}%20`,
      `${path}.`,
      `${path}%00`,
      `http://127.0.0.1${path}`,
      `http://127.0.0.1${path.toUpperCase()}`,
    ]),
  ];
}

export interface RawAnswer {
  status: number;
  body: string;
}

/** Sends `target` exactly as written, which fetch would normalise first. */
export function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { ROUTE_ACCESS } from '../../src/api/route-access.js';

/** docs/security.md says who may call each route; it must say what the server enforces. */
describe('docs/security.md', () => {
  const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `(GET|POST) ([^`]+)` +\| `([a-z-]+)` +\|/gm)].map((m) => [
      `${m[1]} ${m[2]}`,
      m[3],
    ]),
  );

  it('lists every route with the access ROUTE_ACCESS gives it, and no other', () => {
    const declared = new Map(ROUTE_ACCESS.map((r) => [`${r.method} ${r.path}`, r.access]));
    assert.deepEqual(Object.fromEntries(rows), Object.fromEntries(declared));
  });
});

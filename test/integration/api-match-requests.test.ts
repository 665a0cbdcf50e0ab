import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { TEST_API_TOKEN, startTestApp, type TestApp } from '../helpers/app-harness.js';
import { assertError, errorBody, matchApiProbe, postApi, rawPost } from '../helpers/match-api.js';
import { countRows, createUser } from '../helpers/matching-fixtures.js';

/**
 * The internal HTTP API refuses what it must before doing anything: no or a wrong token
 * (401), bodies that are not JSON, too big or wrongly typed (4xx). Nothing is written.
 */
describe('api: what /match/* refuses', function () {
  this.timeout(60_000);
  let t: TestApp;
  let url: string;
  let probe: ReturnType<typeof matchApiProbe>;

  before(async () => {
    // The API alone: every call here must be refused before it reaches anything else.
    t = await startTestApp({ ROLES: 'api' });
    url = t.url;
    probe = matchApiProbe(t);
  });
  after(() => t?.stop());

  const db = () => t.app.deps.db;

  describe('authentication', () => {
    for (const [label, headers] of [
      ['no Authorization header', { authorization: '' }],
      ['a wrong token', { authorization: 'Bearer not-the-right-token-at-all' }],
      ['another scheme', { authorization: `Basic ${TEST_API_TOKEN}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ] as const) {
      it(`refuses ${label} with 401 on both endpoints and writes nothing`, async () => {
        const user = await createUser(db(), { topics: [1, 2] });
        await probe.writesNothing(user, async () => {
          assertError(
            await postApi(url, '/match/find', { user_id: user }, headers),
            401,
            'unauthorized',
          );
          assertError(
            await postApi(
              url,
              '/match/confirm',
              { match_id: 1, action: 'accept', user_id: user },
              headers,
            ),
            401,
            'unauthorized',
          );
          // Authentication comes before the body is even read.
          assertError(await postApi(url, '/match/find', '{oops', headers), 401, 'unauthorized');
        });
      });
    }
  });

  describe('bodies', () => {
    let user: number;
    before(async () => {
      user = await createUser(db(), { topics: [1, 2] });
    });

    // Each body names this suite's (complete, searchable) user where it names one at all.
    const malformed: [string, (user: number) => unknown][] = [
      ['user_id as a string', (id) => ({ user_id: String(id) })],
      ['a float user_id', (id) => ({ user_id: id + 0.5 })],
      ['user_id 0', () => ({ user_id: 0 })],
      ['a negative user_id', (id) => ({ user_id: -id })],
      ['a user_id beyond 2^53', () => ({ user_id: 2 ** 60 })],
      ['no user_id', () => ({})],
      ['an unknown field', (id) => ({ user_id: id, admin: true })],
      ['an array', (id) => [id]],
      ['null', () => 'null'],
      ['invalid JSON', (id) => `{"user_id": ${id}`],
      ['an empty body', () => ''],
    ];
    for (const [label, body] of malformed) {
      it(`/match/find refuses ${label} with 400`, async () => {
        await probe.writesNothing(user, async () => {
          assertError(await postApi(url, '/match/find', body(user)), 400, 'bad_request');
        });
      });
    }

    it('refuses a body that is not JSON (415) and one with no content type', async () => {
      await probe.writesNothing(user, async () => {
        assertError(
          await postApi(url, '/match/find', `user_id=${user}`, {
            'content-type': 'application/x-www-form-urlencoded',
          }),
          415,
          'unsupported_media_type',
        );
        assertError(
          await postApi(url, '/match/find', String(user), { 'content-type': 'text/plain' }),
          415,
          'unsupported_media_type',
        );
        const headers = { authorization: `Bearer ${TEST_API_TOKEN}` };
        assertError(await rawPost(url, '/match/find', headers, []), 415, 'unsupported_media_type');
      });
    });

    it('refuses an oversized body, declared or streamed (413)', async () => {
      const padding = 'x'.repeat(8 * 1024);
      const big = JSON.stringify({ user_id: user, padding });
      await probe.writesNothing(user, async () => {
        assertError(await postApi(url, '/match/find', big), 413, 'payload_too_large');
        // Chunked, with no Content-Length to refuse it by.
        const chunked = await rawPost(
          url,
          '/match/find',
          {
            authorization: `Bearer ${TEST_API_TOKEN}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
          [big.slice(0, 3000), big.slice(3000, 6000), big.slice(6000)],
        );
        assertError(chunked, 413, 'payload_too_large');
      });
      // The server is still fine afterwards.
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    });

    it('/match/confirm refuses malformed bodies with 400', async () => {
      const bodies: unknown[] = [
        { match_id: 1, action: 'maybe', user_id: user },
        { match_id: '1', action: 'accept', user_id: user },
        { match_id: 1, action: 'accept' },
        { action: 'accept', user_id: user },
        { match_id: 1, action: 'ACCEPT', user_id: user },
        { match_id: 1, action: 'accept', user_id: user, extra: 1 },
      ];
      const matchesBefore = await countRows(db(), sql.fragment`SELECT 1 FROM matches`);
      for (const body of bodies) {
        assertError(await postApi(url, '/match/confirm', body), 400, 'bad_request');
      }
      assertError(await postApi(url, '/match/confirm', '[]'), 400, 'bad_request');
      assert.equal(await countRows(db(), sql.fragment`SELECT 1 FROM matches`), matchesBefore);
    });

    it('answers a wrong method and an unknown route with JSON errors', async () => {
      const get = await fetch(`${url}/match/find`, {
        headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      });
      assert.equal(get.status, 405);
      assert.match(get.headers.get('allow') ?? '', /POST/);
      assert.equal(errorBody.parse(await get.json()).error.code, 'method_not_allowed');
      assertError(await postApi(url, '/match/nope', { user_id: user }), 404, 'not_found');
    });
  });
});

import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { sql } from 'slonik';
import { z } from 'zod';
import { TEST_API_TOKEN, type TestApp } from './app-harness.js';
import { countRows, createUser } from './matching-fixtures.js';
import { eventually } from './eventually.js';

export interface ApiResponse {
  status: number;
  body: unknown;
  contentType: string;
}

/** POSTs to the internal API with the test token unless `headers` says otherwise. */
export async function postApi(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_API_TOKEN}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the assertion on it will say so
  }
  return {
    status: response.status,
    body: parsed,
    contentType: response.headers.get('content-type') ?? '',
  };
}

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Asserts a JSON error with this status and code. */
export function assertError(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.contentType, /^application\/json/);
  const parsed = errorBody.safeParse(response.body);
  assert.ok(parsed.success, `not an {error:{code,message}} body: ${JSON.stringify(response.body)}`);
  assert.equal(parsed.data.error.code, code);
}

/** Sends raw bytes, for bodies fetch cannot produce (no Content-Length, chunked, huge). */
export function rawPost(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  chunks: readonly string[],
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // the assertion reports it
        }
        resolve({
          status: res.statusCode ?? 0,
          body,
          contentType: res.headers['content-type'] ?? '',
        });
      });
    });
    // The server may answer and stop reading before the whole body is out; that is its right.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/**
 * What a test of the match API needs to see in the service behind it: stream entries,
 * searches, matches and their Redis records, plus two users brought to a proposal.
 */
export function matchApiProbe(t: TestApp) {
  const db = () => t.app.deps.db;
  /** Entries ever added to match.find: unaffected by consumption and trimming. */
  const entriesAdded = async () => {
    const { redis, keys } = t.app.deps;
    if (!(await redis.exists(keys.matchFind))) return 0;
    const info = (await redis.xinfo('STREAM', keys.matchFind)) as unknown[];
    return Number(info[info.indexOf('entries-added') + 1]);
  };
  const searchesOf = (userId: number) =>
    countRows(db(), sql.fragment`SELECT 1 FROM searches WHERE user_id = ${userId}`);
  const entriesOf = async (userId: number) => {
    const { redis, keys } = t.app.deps;
    const entries = await redis.xrange(keys.matchFind, '-', '+');
    return entries.filter(([, flat]) => flat[flat.indexOf('user_id') + 1] === String(userId));
  };

  /** Runs `call` and asserts it wrote no search and no stream entry. */
  async function writesNothing(userId: number, call: () => Promise<void>): Promise<void> {
    const before = { searches: await searchesOf(userId), added: await entriesAdded() };
    await call();
    assert.equal(await searchesOf(userId), before.searches, 'no searches row');
    assert.equal(await entriesAdded(), before.added, 'no match.find entry');
  }

  /** Two fresh users with the same topics, both pressing find; resolves once they are proposed. */
  async function pairUp(topics: readonly number[]): Promise<[number, number]> {
    const alice = await createUser(db(), { topics });
    const bob = await createUser(db(), { topics });
    for (const user of [alice, bob]) {
      assert.deepEqual((await postApi(t.url, '/match/find', { user_id: user })).body, {
        queued: true,
      });
      // One at a time, so each pair only meets itself.
      await eventually(
        async () => {
          const state = await db().maybeOneFirst(sql.type(z.object({ state: z.string() }))`
          SELECT state FROM searches WHERE user_id = ${user} ORDER BY requested_at DESC LIMIT 1`);
          return state === 'waiting' || state === 'proposed';
        },
        20_000,
        'the matcher to take the search',
      );
    }
    const matchId = await proposalOf(alice);
    // Proposed means spawned: the actor's record exists and its first effects (the expiry
    // timer, both messages) have run, so nothing changes behind a test's back afterwards.
    await eventually(
      async () => {
        const { record } = await matchState(matchId);
        const fields = Object.keys(record);
        return fields.length > 0 && !fields.some((field) => field.startsWith('fx:'));
      },
      20_000,
      'the proposal to be spawned',
    );
    return [alice, bob];
  }

  function proposalOf(userId: number): Promise<number> {
    return eventually(
      () =>
        db()
          .maybeOneFirst(
            sql.type(z.object({ id: z.number() }))`
        SELECT id FROM matches WHERE (user_a = ${userId} OR user_b = ${userId})
        ORDER BY id DESC LIMIT 1`,
          )
          .then((id) => id ?? undefined),
      20_000,
      'a proposal',
    );
  }

  async function confirm(matchId: number, userId: number, action: 'accept' | 'decline') {
    const response = await postApi(t.url, '/match/confirm', {
      match_id: matchId,
      action,
      user_id: userId,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return (response.body as { status: string }).status;
  }

  /** The match row and its Redis record, to prove a refused call changed neither. */
  async function matchState(matchId: number) {
    const { redis, keys } = t.app.deps;
    const row = await db().one(sql.type(z.object({ row: z.string() }))`
      SELECT row_to_json(m)::text AS row FROM matches m WHERE id = ${matchId}`);
    return { row, record: await redis.hgetall(keys.proposal(matchId)) };
  }

  return {
    db,
    entriesAdded,
    searchesOf,
    entriesOf,
    writesNothing,
    pairUp,
    proposalOf,
    confirm,
    matchState,
  };
}

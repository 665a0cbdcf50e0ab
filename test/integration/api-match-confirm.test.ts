import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { assertError, matchApiProbe, postApi } from '../helpers/match-api.js';
import { createUser } from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';

/** POST /match/confirm on the real service, through the proposal runtime. */
describe('api: POST /match/confirm', function () {
  this.timeout(60_000);
  let t: TestApp;
  let url: string;
  let probe: ReturnType<typeof matchApiProbe>;

  before(async () => {
    // No bot role: proposals are queued for Telegram but nobody needs to receive them.
    t = await startTestApp({ ROLES: 'api,matcher,timers' });
    url = t.url;
    probe = matchApiProbe(t);
  });
  after(() => t?.stop());

  const db = () => t.app.deps.db;

  it('accept, accept: waiting then active, and repeats answer the same', async () => {
    const [alice, bob] = await probe.pairUp([23, 24]);
    const matchId = await probe.proposalOf(alice);
    assert.equal(await probe.confirm(matchId, alice, 'accept'), 'waiting');
    assert.equal(await probe.confirm(matchId, alice, 'accept'), 'waiting');
    assert.equal(await probe.confirm(matchId, bob, 'accept'), 'active');
    assert.equal(await probe.confirm(matchId, bob, 'decline'), 'active');
    const status = await db().oneFirst(sql.type(z.object({ status: z.string() }))`
      SELECT status FROM matches WHERE id = ${matchId}`);
    assert.equal(status, 'active');
  });

  it('decline: declined for the decliner, and for anyone asking afterwards', async () => {
    const [alice, bob] = await probe.pairUp([25, 26]);
    const matchId = await probe.proposalOf(alice);
    assert.equal(await probe.confirm(matchId, bob, 'decline'), 'declined');
    assert.equal(await probe.confirm(matchId, alice, 'accept'), 'declined');
  });

  it('refuses unknown matches (404), strangers (403, also once it ended) and bad calls, changing nothing', async () => {
    const [alice, bob] = await probe.pairUp([27, 28]);
    const stranger = await createUser(db(), { topics: [27, 28] });
    const matchId = await probe.proposalOf(alice);
    const before = await probe.matchState(matchId);
    assertError(
      await postApi(url, '/match/confirm', {
        match_id: 99_999_999,
        action: 'accept',
        user_id: alice,
      }),
      404,
      'not_found',
    );
    for (const action of ['accept', 'decline'] as const) {
      assertError(
        await postApi(url, '/match/confirm', { match_id: matchId, action, user_id: stranger }),
        403,
        'forbidden',
      );
    }
    // Refused before the body or the match is looked at: no token, a malformed body.
    const real = { match_id: matchId, action: 'decline', user_id: alice };
    assertError(
      await postApi(url, '/match/confirm', real, { authorization: '' }),
      401,
      'unauthorized',
    );
    for (const body of [
      { ...real, action: 'nope' },
      { ...real, user_id: String(alice) },
      { ...real, extra: true },
    ]) {
      assertError(await postApi(url, '/match/confirm', body), 400, 'bad_request');
    }
    assertError(
      await postApi(url, '/match/confirm', JSON.stringify(real), { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
    assert.deepEqual(await probe.matchState(matchId), before);

    assert.equal(await probe.confirm(matchId, alice, 'decline'), 'declined');
    const ended = await probe.matchState(matchId);
    assertError(
      await postApi(url, '/match/confirm', {
        match_id: matchId,
        action: 'accept',
        user_id: stranger,
      }),
      403,
      'forbidden',
    );
    assert.deepEqual(await probe.matchState(matchId), ended);
    assert.equal(await probe.confirm(matchId, bob, 'accept'), 'declined');
  });
});

describe('api: /match/confirm after the proposal TTL', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ ROLES: 'api,matcher,timers', PROPOSAL_TTL_SECONDS: '1' });
  });
  after(() => t?.stop());

  it('answers expired once the proposal has expired', async () => {
    const { db } = t.app.deps;
    const alice = await createUser(db, { topics: [1, 2] });
    const bob = await createUser(db, { topics: [1, 2] });
    for (const user of [alice, bob]) {
      assert.equal((await postApi(t.url, '/match/find', { user_id: user })).status, 200);
    }
    const matchId = await eventually(
      () =>
        db
          .maybeOneFirst(
            sql.type(z.object({ id: z.number() }))`SELECT id FROM matches WHERE status = 'expired'`,
          )
          .then((id) => id ?? undefined),
      20_000,
      'the proposal to expire',
    );
    const response = await postApi(t.url, '/match/confirm', {
      match_id: matchId,
      action: 'accept',
      user_id: alice,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { status: 'expired' });
  });
});

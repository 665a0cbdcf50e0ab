import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { assertError, matchApiProbe, postApi } from '../helpers/match-api.js';
import { createUser } from '../helpers/matching-fixtures.js';

/** POST /match/find on the real service: one search and one stream entry per search, however pressed. */
describe('api: POST /match/find', function () {
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

  it('queues a search: 200 {queued: true}, one search row, one stream entry', async () => {
    const user = await createUser(db(), { topics: [3, 7, 9], tz: 'Asia/Tokyo' });
    const response = await postApi(url, '/match/find', { user_id: user });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { queued: true });
    const search = await db().one(sql.type(z.object({ id: z.string(), requested_at: z.date() }))`
      SELECT id, requested_at FROM searches WHERE user_id = ${user}`);
    const entries = await probe.entriesOf(user);
    assert.equal(entries.length, 1);
    const flat = entries[0]![1];
    const fields = Object.fromEntries(
      flat.flatMap((value, index) => (index % 2 ? [] : [[value, flat[index + 1]]])),
    );
    assert.deepEqual(fields, {
      request_id: search.id,
      user_id: String(user),
      topics: '3,7,9',
      tz: 'Asia/Tokyo',
      requested_at: String(search.requested_at.getTime()),
    });
  });

  it('answers a second press with already: true and adds nothing', async () => {
    const user = await createUser(db(), { topics: [11, 12] });
    assert.deepEqual((await postApi(url, '/match/find', { user_id: user })).body, {
      queued: true,
    });
    await probe.writesNothing(user, async () => {
      const again = await postApi(url, '/match/find', { user_id: user });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { queued: true, already: true });
    });
    assert.equal(await probe.searchesOf(user), 1);
    assert.equal((await probe.entriesOf(user)).length, 1);
  });

  it('turns ten concurrent presses into exactly one search and one stream entry', async () => {
    const user = await createUser(db(), { topics: [13, 14] });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postApi(url, '/match/find', { user_id: user })),
    );
    assert.ok(responses.every((response) => response.status === 200));
    const fresh = responses.filter((response) => !(response.body as { already?: true }).already);
    assert.equal(fresh.length, 1, JSON.stringify(responses.map((r) => r.body)));
    assert.equal(await probe.searchesOf(user), 1);
    assert.equal((await probe.entriesOf(user)).length, 1);
  });

  it('404 for an unknown or deleted user, writing nothing', async () => {
    await probe.writesNothing(987_654_321, async () => {
      assertError(await postApi(url, '/match/find', { user_id: 987_654_321 }), 404, 'not_found');
    });
    const gone = await createUser(db(), { topics: [1, 2] });
    await db().query(sql.unsafe`UPDATE users SET deleted_at = now() WHERE id = ${gone}`);
    await probe.writesNothing(gone, async () => {
      assertError(await postApi(url, '/match/find', { user_id: gone }), 404, 'not_found');
    });
  });

  it('422 profile_incomplete for fewer than 2 topics or unaccepted rules, writing nothing', async () => {
    const oneTopic = await createUser(db(), { topics: [1] });
    const noTopics = await createUser(db(), { topics: [] });
    const noRules = await createUser(db(), { topics: [1, 2], rulesAccepted: false });
    for (const user of [oneTopic, noTopics, noRules]) {
      await probe.writesNothing(user, async () => {
        assertError(
          await postApi(url, '/match/find', { user_id: user }),
          422,
          'profile_incomplete',
        );
      });
    }
  });

  it('403 suspended for a suspended user, writing nothing', async () => {
    const user = await createUser(db(), { topics: [1, 2] });
    await db().query(sql.unsafe`UPDATE users SET suspended_at = now() WHERE id = ${user}`);
    await probe.writesNothing(user, async () => {
      assertError(await postApi(url, '/match/find', { user_id: user }), 403, 'suspended');
    });
  });

  it('403 forbidden for a user who has blocked the bot, writing nothing', async () => {
    // Nothing could reach them: a search would only be ended by the matcher later.
    const user = await createUser(db(), { topics: [1, 2] });
    await db().query(sql.unsafe`UPDATE users SET bot_blocked_at = now() WHERE id = ${user}`);
    await probe.writesNothing(user, async () => {
      assertError(await postApi(url, '/match/find', { user_id: user }), 403, 'forbidden');
    });
  });

  it('409 paused during a /pause, writing nothing, and queues once it has run out', async () => {
    const user = await createUser(db(), { topics: [1, 2] });
    await db().query(sql.unsafe`
      UPDATE users SET paused_until = now() + interval '1 hour' WHERE id = ${user}`);
    await probe.writesNothing(user, async () => {
      assertError(await postApi(url, '/match/find', { user_id: user }), 409, 'paused');
    });
    // A pause whose end has passed no longer counts, even before its job clears it.
    await db().query(sql.unsafe`
      UPDATE users SET paused_until = now() - interval '1 second' WHERE id = ${user}`);
    const queued = await postApi(url, '/match/find', { user_id: user });
    assert.equal(queued.status, 200);
  });

  it('409 busy while in a proposal or a chat, writing nothing', async () => {
    const [alice, bob] = await probe.pairUp([21, 22]);
    const matchId = await probe.proposalOf(alice);
    for (const user of [alice, bob]) {
      await probe.writesNothing(user, async () => {
        assertError(await postApi(url, '/match/find', { user_id: user }), 409, 'busy');
      });
    }
    await probe.confirm(matchId, alice, 'accept');
    assert.equal(await probe.confirm(matchId, bob, 'accept'), 'active');
    for (const user of [alice, bob]) {
      await probe.writesNothing(user, async () => {
        assertError(await postApi(url, '/match/find', { user_id: user }), 409, 'busy');
      });
    }
  });
});

describe('api: POST /match/find with a full queue', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    // No matcher: the backlog stays where the test puts it.
    t = await startTestApp({ ROLES: 'api', MATCH_STREAM_MAXLEN: '1000' });
  });
  after(() => t?.stop());

  it('503 unavailable near MAXLEN, leaving no search behind and trimming nothing', async () => {
    const { db, redis, keys } = t.app.deps;
    const probe = matchApiProbe(t);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 900; i += 1) pipeline.xadd(keys.matchFind, '*', 'filler', String(i));
    await pipeline.exec();
    const user = await createUser(db, { topics: [1, 2] });
    await probe.writesNothing(user, async () => {
      assertError(await postApi(t.url, '/match/find', { user_id: user }), 503, 'unavailable');
    });
    assert.equal(await redis.xlen(keys.matchFind), 900);
    // Once the backlog drains, the same user can search.
    await redis.xtrim(keys.matchFind, 'MAXLEN', 0);
    assert.deepEqual((await postApi(t.url, '/match/find', { user_id: user })).body, {
      queued: true,
    });
  });
});

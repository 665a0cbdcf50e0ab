import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { MATCHER_GROUP } from '../../src/redis/keys.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import type { Spawned } from '../helpers/process.js';
import { createUser, logLines, reap, scrape, spawnMatcher } from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { postApi } from '../helpers/match-api.js';

const USERS = 240;
const ZONES = ['Europe/Moscow', 'Europe/London', 'Asia/Tokyo', 'America/New_York'];

/**
 * Two matcher processes over one overlapping pool: everyone shares topics with everyone
 * and presses find at once. Nobody may end up in two live proposals.
 */
describe('matcher: two processes over an overlapping pool', function () {
  this.timeout(180_000);
  let t: TestApp;
  const running: Spawned[] = [];

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
  });
  after(async () => {
    await Promise.all(running.splice(0).map(reap));
    await t?.stop();
  });

  it(`${USERS} users pressing find together: no double booking, nobody lost`, async () => {
    const { db, redis, keys } = t.app.deps;
    const users: number[] = [];
    for (let i = 0; i < USERS; i += 1) {
      // Everyone has topics 1 and 2; a third varies so scores (and choices) differ.
      users.push(
        await createUser(db, {
          topics: [1, 2, 3 + (i % 5)],
          tz: ZONES[i % ZONES.length],
          helpfulness: (i % 10) / 10,
        }),
      );
    }
    const ports: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const started = await spawnMatcher(t.app);
      running.push(started.run);
      ports.push(started.port);
    }

    const responses = await Promise.all(
      users.map((user) => postApi(t.url, '/match/find', { user_id: user })),
    );
    assert.deepEqual(
      responses.filter((response) => response.status !== 200),
      [],
    );

    await eventually(
      async () => {
        const open = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
          SELECT count(*)::int AS n FROM searches WHERE state = 'queued'`);
        const [count] = (await redis.xpending(keys.matchFind, MATCHER_GROUP)) as [number];
        const info = (await redis.xinfo('GROUPS', keys.matchFind)) as unknown[][];
        const lag = Number(info[0]![info[0]!.indexOf('lag') + 1]);
        return open === 0 && count === 0 && lag === 0;
      },
      120_000,
      'every search to be handled and acknowledged',
      250,
    );

    // Every search ended up proposed or waiting; one search per user.
    const states = await db.any(sql.type(z.object({ state: z.string(), n: z.number() }))`
      SELECT state, count(*)::int AS n FROM searches GROUP BY state ORDER BY state`);
    const byState = Object.fromEntries(states.map((row) => [row.state, row.n]));
    assert.deepEqual(
      Object.keys(byState).filter((state) => !['proposed', 'waiting'].includes(state)),
      [],
    );
    assert.equal((byState.proposed ?? 0) + (byState.waiting ?? 0), USERS);

    // Nobody in two live proposals.
    const doubled = await db.any(sql.type(z.object({ user_id: z.number(), n: z.number() }))`
      SELECT user_id, count(*)::int AS n FROM (
        SELECT user_a AS user_id FROM matches WHERE status = 'proposed'
        UNION ALL SELECT user_b FROM matches WHERE status = 'proposed') live
      GROUP BY user_id HAVING count(*) > 1`);
    assert.deepEqual(doubled, []);

    // Engagements, proposals and searches agree with each other.
    const proposals = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM matches WHERE status = 'proposed'`);
    assert.equal(byState.proposed ?? 0, proposals * 2);
    const mismatched = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM searches s
      LEFT JOIN engagements e ON e.user_id = s.user_id
      LEFT JOIN matches m ON m.id = s.match_id
      WHERE s.state = 'proposed'
        AND (e.match_id IS DISTINCT FROM s.match_id
             OR s.user_id NOT IN (m.user_a, m.user_b) OR m.status <> 'proposed')`);
    assert.equal(mismatched, 0);
    const pool = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM waiting_pool`);
    assert.equal(pool, byState.waiting ?? 0);
    // Everyone is compatible with everyone, so two people left waiting is a missed match.
    assert.ok(pool <= 1, `${pool} users left waiting side by side`);

    // Both processes took part.
    for (const port of ports) {
      assert.ok((await scrape(`http://127.0.0.1:${port}`, 'sql_match_select_ms_count')) > 0);
    }
    const sent = await Promise.all(
      ports.map((port) => scrape(`http://127.0.0.1:${port}`, 'proposals_sent_total')),
    );
    assert.equal(sent[0]! + sent[1]!, proposals);

    // The engagements primary key never had to stop a double booking: no claim failed.
    for (const run of running) {
      assert.doesNotMatch(run.output(), /engagements_pkey|duplicate key/);
      assert.deepEqual(logLines(run, 'match request failed; will be retried'), []);
    }
  });
});

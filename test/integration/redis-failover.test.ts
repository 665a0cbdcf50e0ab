import { strict as assert } from 'node:assert';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { countDoubleBooked } from '../../bench/checks.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { postApi } from '../helpers/match-api.js';
import { createUsers } from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { startRedisCluster, type LocalRedisCluster } from '../../sim-kit/redis-cluster.js';

const count = z.object({ n: z.number() });
const openMatch = z.object({ id: z.number(), user_a: z.number(), user_b: z.number() });

/** 503 answers (or dropped requests) seen while Redis failed over. */
let outageAnswers = 0;

/** Posts until the service answers other than 503 (a client retrying through an outage). */
async function postThrough(url: string, path: string, body: unknown): Promise<number> {
  const until = Date.now() + 60_000;
  for (;;) {
    const response = await postApi(url, path, body).catch(() => ({ status: 0 }));
    if (response.status === 503 || response.status === 0) outageAnswers += 1;
    if ((response.status !== 503 && response.status !== 0) || Date.now() > until) {
      return response.status;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A master of a 3-master, 3-replica Redis Cluster is killed (SIGKILL) while /match/find
 * requests, the matcher, proposals, timers and outbound sends are all busy. Its replica is
 * promoted and the same service process carries on. Replication is asynchronous, so a write
 * acknowledged just before the kill may be gone: the test removes a few proposal records after
 * the failover as such a loss would, and the reconciler must repair them from PostgreSQL.
 */
describe('Redis Cluster: a master fails over under load', function () {
  this.timeout(240_000);
  let cluster: LocalRedisCluster;
  let t: TestApp;
  let pool: pg.Pool;

  before(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2_000 });
    t = await startTestApp({
      REDIS_CLUSTER_NODES: cluster.seeds,
      PROPOSAL_TTL_SECONDS: '3',
      SEARCH_TTL_MINUTES: '0.25',
      SEARCH_STUCK_SECONDS: '5',
      EFFECT_SWEEP_INTERVAL_SECONDS: '1',
      EFFECT_SWEEP_GRACE_SECONDS: '1',
      MATCHER_BLOCK_MS: '200',
      MATCHER_CLAIM_IDLE_SECONDS: '2',
      STARTUP_TIMEOUT_SECONDS: '20',
    });
    pool = new pg.Pool({ connectionString: t.config.DATABASE_URL, max: 2 });
  });
  after(async () => {
    await t?.stop();
    await pool?.end();
    await cluster?.stop();
  });

  it('promotes the replica; nobody stuck, no proposal lost or doubled, every search decided', async () => {
    const { db, keys } = t.app.deps;
    const users = await createUsers(db, 48, { topics: [1, 2, 3], tz: 'Europe/Berlin' });
    const find = (user: number) => postThrough(t.url, '/match/find', { user_id: user });
    // Every other proposal is accepted by both sides (a chat starts); the rest expire.
    let accepting = true;
    const accepted = new Set<number>();
    const acceptor = (async () => {
      while (accepting) {
        const open = await db.any(sql.type(openMatch)`
          SELECT id, user_a, user_b FROM matches WHERE status = 'proposed'`);
        for (const match of open.filter((m) => m.id % 2 === 0 && !accepted.has(m.id))) {
          accepted.add(match.id);
          for (const user of [match.user_a, match.user_b]) {
            await postThrough(t.url, '/match/confirm', {
              match_id: match.id,
              user_id: user,
              action: 'accept',
            });
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const firstWave = await Promise.all(users.slice(0, 24).map(find));
    assert.deepEqual(new Set(firstWave), new Set([200]));
    await eventually(
      async () => (await db.oneFirst(sql.type(count)`SELECT count(*)::int AS n FROM matches`)) >= 4,
      30_000,
    );
    // The shard of match.find: the API, the matchers and the janitor all use it.
    const victim = await cluster.masterOf(keys.matchFind);
    let slowest = 0;
    // The second wave is spread over the failover: a find every 150 ms, the kill after 600.
    const secondWave = Promise.all(
      users.slice(24).map(async (user, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 150));
        const started = Date.now();
        const status = await find(user);
        slowest = Math.max(slowest, Date.now() - started);
        return status;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    await victim.kill();
    assert.deepEqual(new Set(await secondWave), new Set([200]), 'finds answered after retries');

    const probe = cluster.client();
    await eventually(async () => {
      const master = await cluster.masterOf(keys.matchFind);
      return master !== victim && (await probe.cluster('INFO')).includes('cluster_state:ok');
    }, 30_000);
    // Writes the dead master acknowledged but never passed on: a few proposal records go.
    const open = await db.anyFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM matches WHERE status = 'proposed' ORDER BY id LIMIT 3`);
    for (const id of open) await probe.del(keys.proposal(id));

    // The same process, no restart: two newcomers still get a proposal.
    const [late1, late2] = await createUsers(db, 2, { topics: [7, 8, 9], tz: 'Asia/Tokyo' });
    assert.equal(await find(late1!), 200);
    assert.equal(await find(late2!), 200);
    await eventually(
      async () =>
        (await db.oneFirst(sql.type(count)`
          SELECT count(*)::int AS n FROM matches WHERE user_a = ${late1!} OR user_b = ${late1!}`)) >
        0,
      60_000,
    );

    // Everything settles: no open proposal, no open search.
    await eventually(async () => {
      const proposed = await db.oneFirst(sql.type(count)`
        SELECT count(*)::int AS n FROM matches WHERE status = 'proposed'`);
      const searching = await db.oneFirst(sql.type(count)`
        SELECT count(*)::int AS n FROM searches WHERE state IN ('queued', 'waiting', 'proposed')`);
      assert.equal(proposed + searching, 0, `${proposed} proposed, ${searching} searching`);
      return true;
    }, 120_000);
    accepting = false;
    await acceptor;

    for (const id of open) {
      const status = await db.oneFirst(sql.type(z.object({ status: z.string() }))`
        SELECT status FROM matches WHERE id = ${id}`);
      assert.notEqual(status, 'proposed', `proposal ${id} whose record was lost is decided`);
    }
    // Nobody is held by a decided proposal; a chat holds exactly its two users.
    const stuck = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM engagements e JOIN matches m ON m.id = e.match_id
      WHERE m.status <> 'active' OR e.kind <> 'chat'`);
    assert.equal(stuck, 0, 'users stuck busy');
    const chatless = await db.oneFirst(sql.type(count)`
      SELECT count(*)::int AS n FROM matches m
      WHERE m.status = 'active'
        AND (SELECT count(*) FROM chat_sessions c WHERE c.match_id = m.id) <> 1`);
    assert.equal(chatless, 0, 'every confirmed proposal has exactly one chat');
    assert.equal(await countDoubleBooked(pool), 0, 'double bookings');
    const total = await db.oneFirst(sql.type(count)`SELECT count(*)::int AS n FROM matches`);
    console.log(
      `      ${total} proposals, ${accepted.size} accepted, ${outageAnswers} answers retried, ` +
        `slowest find ${slowest} ms; ` +
        `master on ${victim.port} killed`,
    );
  });
});

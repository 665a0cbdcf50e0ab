import { strict as assert } from 'node:assert';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createSearch, createUser, scrape } from '../helpers/matching-fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { matchApiProbe, postApi } from '../helpers/match-api.js';

/** The matching metrics the sprint asks for, with their Prometheus types. */
const METRICS = {
  match_queue_size: 'gauge',
  match_worker_lag_ms: 'gauge',
  proposals_sent_total: 'counter',
  proposal_ttl_expired_total: 'counter',
  match_accept_total: 'counter',
  match_decline_total: 'counter',
  accept_rate: 'gauge',
  sql_match_select_ms: 'histogram',
  match_dead_total: 'counter',
} as const;

/** Each metric on GET /metrics of the running service moves when its event happens. */
describe('metrics: the matching metrics move with their events', function () {
  this.timeout(90_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ ROLES: 'api,matcher,timers' });
  });
  after(() => t?.stop());

  const metric = (name: string) => scrape(t.url, name);

  /** Two new users with the same topics press find; resolves with their match id. */
  async function propose(topics: number[]): Promise<[number, number, number]> {
    const { db } = t.app.deps;
    const alice = await createUser(db, { topics });
    const bob = await createUser(db, { topics });
    for (const user of [alice, bob]) {
      assert.equal((await postApi(t.url, '/match/find', { user_id: user })).status, 200);
    }
    const matchId = await eventually(
      () =>
        db
          .maybeOneFirst(
            sql.type(z.object({ id: z.number() }))`
            SELECT id FROM matches WHERE user_a IN (${alice}, ${bob})`,
          )
          .then((id) => id ?? undefined),
      20_000,
      'a proposal',
    );
    return [matchId, alice, bob];
  }

  const confirm = (matchId: number, userId: number, action: 'accept' | 'decline') =>
    matchApiProbe(t).confirm(matchId, userId, action);

  it('exports every matching metric with its type, and the default process metrics', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    for (const [name, type] of Object.entries(METRICS)) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    }
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^${name} `, 'm'), name);
    }
  });

  it('match_queue_size and match_worker_lag_ms rise while an entry waits, and fall back', async () => {
    const { db, services, config } = t.app.deps;
    const user = await createUser(db, { topics: [12, 13] });
    const searchId = await createSearch(db, user);
    const selectsBefore = await metric('sql_match_select_ms_count');
    // The matcher reads the entry at once, then waits on this row lock: read, not done.
    const holder = new pg.Client({ connectionString: config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM searches WHERE id = $1 FOR UPDATE', [searchId]);
      assert.equal(await metric('match_queue_size'), 0);
      await services.producer.enqueue({
        request_id: searchId,
        user_id: user,
        topics: [12, 13],
        tz: 'Europe/Moscow',
        requested_at: Date.now(),
      });
      assert.equal(await metric('match_queue_size'), 1);
      const lag = await metric('match_worker_lag_ms');
      await new Promise((resolve) => setTimeout(resolve, 400));
      const later = await metric('match_worker_lag_ms');
      assert.ok(later >= lag + 300, `lag ${lag} then ${later}`);
      assert.equal(await metric('match_queue_size'), 1);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    await eventually(
      async () => (await metric('match_queue_size')) === 0,
      20_000,
      'the queue to drain',
    );
    assert.equal(await metric('match_worker_lag_ms'), 0);
    // sql_match_select_ms observed the candidate query of that search.
    assert.ok((await metric('sql_match_select_ms_count')) > selectsBefore);
  });

  it('proposals_sent_total, match_accept_total, match_decline_total and accept_rate', async () => {
    assert.ok(Number.isNaN(await metric('accept_rate')), 'no decisions yet: NaN, not 0');
    const sent = await metric('proposals_sent_total');
    const [first, a1, b1] = await propose([14, 15]);
    // The match row commits just before the proposal actor is created and counted.
    await eventually(
      async () => {
        return (await metric('proposals_sent_total')) === sent + 1;
      },
      20_000,
      'the proposal to be sent',
    );

    const accepts = await metric('match_accept_total');
    await confirm(first, a1, 'accept');
    assert.equal(await metric('match_accept_total'), accepts, 'one accept is not a match');
    await confirm(first, b1, 'accept');
    assert.equal(await metric('match_accept_total'), accepts + 1);
    assert.equal(await metric('accept_rate'), 1);

    const [second, a2] = await propose([16, 17]);
    await eventually(
      async () => {
        return (await metric('proposals_sent_total')) === sent + 2;
      },
      20_000,
      'the proposal to be sent',
    );
    const declines = await metric('match_decline_total');
    await confirm(second, a2, 'decline');
    assert.equal(await metric('match_decline_total'), declines + 1);
    assert.equal(await metric('accept_rate'), 0.5);
    assert.equal(await metric('match_accept_total'), accepts + 1);
  });

  it('match_dead_total counts an entry moved to match.dead', async () => {
    const { redis, keys } = t.app.deps;
    const dead = await metric('match_dead_total');
    await redis.xadd(keys.matchFind, '*', 'request_id', 'garbage');
    await eventually(
      async () => (await metric('match_dead_total')) === dead + 1,
      20_000,
      'the dead letter',
    );
    assert.equal(await redis.xlen(keys.matchDead), 1);
  });
});

describe('metrics: proposal_ttl_expired_total', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ ROLES: 'api,matcher,timers', PROPOSAL_TTL_SECONDS: '1' });
  });
  after(() => t?.stop());

  it('counts a proposal nobody answered in time', async () => {
    const { db } = t.app.deps;
    assert.equal(await scrape(t.url, 'proposal_ttl_expired_total'), 0);
    for (let i = 0; i < 2; i += 1) {
      const user = await createUser(db, { topics: [1, 2] });
      assert.equal((await postApi(t.url, '/match/find', { user_id: user })).status, 200);
    }
    await eventually(
      async () => (await scrape(t.url, 'proposal_ttl_expired_total')) === 1,
      20_000,
      'the expiry',
    );
    // The counter moves when the decision is saved; PostgreSQL's row follows as its effect.
    await eventually(
      async () =>
        (await db.oneFirst(sql.type(z.object({ status: z.string() }))`
          SELECT status FROM matches`)) === 'expired',
      10_000,
      'the match closed as expired',
    );
    assert.equal(await scrape(t.url, 'match_accept_total'), 0);
    assert.equal(await scrape(t.url, 'match_decline_total'), 0);
    assert.equal(await scrape(t.url, 'accept_rate'), 0);
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { deleteKeys, scanKeys } from '../../src/redis/delete-keys.js';
import {
  createProposalRows,
  durableState,
  searchesOf,
  type ProposalRow,
} from './proposal-support.js';
import { eventually } from '../helpers/eventually.js';

const TTL_MS = 5_000;
const SWEEP_MS = 1_000;

const decided = z.object({
  id: z.number(),
  status: z.string(),
  expires_at: z.date(),
  decided_at: z.date().nullable(),
});

describe('proposal reconciler', function () {
  this.timeout(120_000);

  describe('after every Redis key of the app is deleted', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({
        ROLES: 'api,timers',
        SWEEP_INTERVAL_SECONDS: String(SWEEP_MS / 1000),
      });
    });
    after(() => t?.stop());

    it('resolves every open proposal within TTL plus one sweep, and frees every user', async () => {
      const { db, redis, keys, services } = t.app.deps;
      const { runtime } = services;
      const rows = await createProposalRows(db, 10, { ttlMs: TTL_MS });
      for (const row of rows) await runtime.create(row.input);
      const [untouched, acceptedA, acceptedB, bothInPostgres, confirmed, declined] = [
        rows.slice(0, 3),
        rows.slice(3, 5),
        rows.slice(5, 7),
        rows[7]!,
        rows[8]!,
        rows[9]!,
      ];
      for (const row of acceptedA) await accept(row, row.userA);
      for (const row of acceptedB) await accept(row, row.userB);
      // Both acceptances reached PostgreSQL, but Redis is lost before the chat starts.
      await accept(bothInPostgres, bothInPostgres.userA);
      await db.query(
        sql.unsafe`UPDATE matches SET accepted_b_at = now() WHERE id = ${bothInPostgres.matchId}`,
      );
      await accept(confirmed, confirmed.userA);
      await accept(confirmed, confirmed.userB);
      await runtime.send(declined.matchId, { type: 'proposal.decline', userId: declined.userB });

      // The equivalent of FLUSHALL for this app: every key under its prefix, queues included.
      await deleteKeys(redis, `${keys.prefix}*`);
      assert.equal((await scanKeys(redis, `${keys.prefix}proposal*`)).length, 0);

      const open = [...untouched, ...acceptedA, ...acceptedB];
      const ids = rows.map((row) => row.matchId);
      const final = await eventually(async () => {
        const found = await db.any(sql.type(decided)`
          SELECT id, status, expires_at, decided_at FROM matches
          WHERE id = ANY(${sql.array(ids, 'int8')}) ORDER BY id`);
        assert.ok(
          found.every((row) => row.status !== 'proposed'),
          'still open',
        );
        // An expiry closes the match first and settles the two searches in later effects:
        // wait for those too before reading the searches below.
        const settling = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
          SELECT count(*)::int AS n FROM searches
          WHERE match_id = ANY(${sql.array(
            open.map((row) => row.matchId),
            'int8',
          )}) AND state = 'proposed'`);
        assert.equal(settling, 0, 'searches still settling');
        return found;
      }, TTL_MS + 15_000);

      const statusOf = (row: ProposalRow) => final.find((found) => found.id === row.matchId)!;
      for (const row of open) assert.equal(statusOf(row).status, 'expired');
      assert.equal(statusOf(bothInPostgres).status, 'active', 'rebuilt as Confirmed');
      assert.equal(statusOf(confirmed).status, 'active');
      assert.equal(statusOf(declined).status, 'declined');

      // Timing: an open proposal ends by its deadline plus one sweep interval.
      const lateness = open.map(
        (row) => statusOf(row).decided_at!.getTime() - statusOf(row).expires_at.getTime(),
      );
      console.log(`      decided after the deadline by ${lateness.join(', ')} ms`);
      for (const late of lateness) assert.ok(late <= SWEEP_MS + 1_500, `${late} ms late`);

      // Expiry outcomes follow the acceptances PostgreSQL kept.
      for (const row of [...acceptedA, ...acceptedB]) {
        const accepter = acceptedA.includes(row) ? row.userA : row.userB;
        for (const search of await searchesOf(db, row.matchId)) {
          const want =
            search.user_id === accepter ? ['queued', 1, null] : ['ended', 0, 'end_no_answer'];
          assert.deepEqual([search.state, search.requeue_count, search.end_reason], want);
        }
      }
      const both = await durableState(db, bothInPostgres.matchId);
      assert.equal(both.chats, 1, 'the lost chat was started');

      // Nobody is left busy by a decided proposal.
      const busy = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM engagements e JOIN matches m ON m.id = e.match_id
        WHERE m.status IN ('declined', 'expired')`);
      assert.equal(busy, 0);
      for (const row of [bothInPostgres, confirmed]) {
        assert.equal((await durableState(db, row.matchId)).engaged, 2, 'in their chat');
      }
    });

    async function accept(row: ProposalRow, userId: number) {
      await t.app.deps.services.runtime.send(row.matchId, { type: 'proposal.accept', userId });
    }
  });

  describe('one proposal at a time', () => {
    let t: TestApp;
    before(async () => {
      // No timers role: the test runs the reconciler itself.
      t = await startTestApp({ ROLES: 'api', SWEEP_INTERVAL_SECONDS: '5' });
    });
    after(() => t?.stop());

    async function withoutRedisState(row: ProposalRow) {
      const { services } = t.app.deps;
      await services.runtime.create(row.input);
      await services.store.remove(row.matchId);
      await services.proposalTimers.cancel(row.matchId);
      assert.equal(await services.proposalTimers.isPending(row.matchId), false);
    }

    it('expires a proposal past its deadline with no snapshot, through the runtime', async () => {
      const { db, services } = t.app.deps;
      const [row] = await createProposalRows(db, 1);
      await withoutRedisState(row!);
      await db.query(sql.unsafe`
        UPDATE matches SET created_at = now() - interval '10 minutes',
                           expires_at = now() - interval '5 minutes'
        WHERE id = ${row!.matchId}`);
      const report = await services.reconciler.reconcileProposals();
      assert.deepEqual(report, { checked: 1, expired: 1, rebuilt: 0, timersRestored: 0 });
      const record = await services.store.load(row!.matchId);
      // Rebuilt from PostgreSQL (rev 1), then the expiry event (rev 2): the timer's own path.
      assert.equal((record?.snapshot as { value: string }).value, 'Expired');
      assert.equal(record?.rev, 2);
      const durable = await durableState(db, row!.matchId);
      assert.equal(durable.status, 'expired');
      assert.equal(durable.engaged, 0);
    });

    it('rebuilds the snapshot and timer of one not yet due; re-arms a lost timer', async () => {
      const { db, services } = t.app.deps;
      const [lost, timerOnly] = await createProposalRows(db, 2);
      await withoutRedisState(lost!);
      await services.runtime.create(timerOnly!.input);
      await services.proposalTimers.cancel(timerOnly!.matchId);

      const report = await services.reconciler.reconcileProposals();
      assert.deepEqual(report, { checked: 2, expired: 0, rebuilt: 1, timersRestored: 1 });
      const record = await services.store.load(lost!.matchId);
      assert.equal((record?.snapshot as { value: string }).value, 'Waiting');
      assert.equal(record?.rev, 1);
      for (const row of [lost!, timerOnly!]) {
        assert.equal(await services.proposalTimers.isPending(row.matchId), true);
        assert.equal((await durableState(db, row.matchId)).status, 'proposed');
      }
      // A second sweep finds nothing left to repair.
      assert.deepEqual(await services.reconciler.reconcileProposals(), {
        checked: 2,
        expired: 0,
        rebuilt: 0,
        timersRestored: 0,
      });
    });

    it('expires a proposal whose timer is a sweep overdue; leaves one just due to its timer', async () => {
      const { db, services } = t.app.deps;
      // Both keep their snapshot and their timer, which nothing here takes (no timers role),
      // as when a failover has wedged the worker of a live process. With a sweep of 5 s,
      // 6 s after they were made one is 5.5 s past its deadline and the other 1.5 s (which
      // leaves 3.5 s for a slow machine before it too would count as overdue).
      const made = Date.now();
      const [wedged] = await createProposalRows(db, 1, { ttlMs: 500 });
      const [due] = await createProposalRows(db, 1, { ttlMs: 4_500 });
      for (const row of [wedged!, due!]) await services.runtime.create(row.input);
      await new Promise((resolve) => setTimeout(resolve, made + 6_000 - Date.now()));

      const report = await services.reconciler.reconcileProposals();
      assert.deepEqual(
        { ...report, checked: 0 },
        { checked: 0, expired: 1, rebuilt: 0, timersRestored: 0 },
      );
      assert.equal((await durableState(db, wedged!.matchId)).status, 'expired');
      assert.equal((await durableState(db, wedged!.matchId)).engaged, 0);
      assert.equal((await durableState(db, due!.matchId)).status, 'proposed');
      assert.equal(await services.proposalTimers.isPending(due!.matchId), true);
      // The wedged timer firing at last finds the proposal decided: nothing changes.
      const late = await services.runtime.send(wedged!.matchId, {
        type: 'proposal.expire',
        at: Date.now(),
      });
      assert.equal(late.changed, false);
    });

    it('settles a decision whose later effects were lost with Redis', async () => {
      const { db, services } = t.app.deps;
      const [declined, expired] = await createProposalRows(db, 2);
      for (const row of [declined!, expired!]) await withoutRedisState(row);
      // The first effect (closing the match) ran; Redis went before the searches were settled.
      await db.query(sql.unsafe`
        UPDATE matches SET status = 'declined', declined_by = user_a,
          decided_at = now() - interval '1 minute' WHERE id = ${declined!.matchId}`);
      await db.query(sql.unsafe`
        UPDATE matches SET status = 'expired', accepted_b_at = now(),
          decided_at = now() - interval '1 minute' WHERE id = ${expired!.matchId}`);
      await db.query(sql.unsafe`
        DELETE FROM engagements WHERE match_id IN (${declined!.matchId}, ${expired!.matchId})`);

      assert.equal(await services.reconciler.settleOrphans(), 2);
      // A decline requeues both; an expiry requeues the one who accepted and ends the other.
      const states = async (row: ProposalRow) =>
        (await searchesOf(db, row.matchId))
          .map((search) => [search.user_id, search.state])
          .sort(([a], [b]) => Number(a) - Number(b));
      assert.deepEqual(await states(declined!), [
        [declined!.userA, 'queued'],
        [declined!.userB, 'queued'],
      ]);
      assert.deepEqual(await states(expired!), [
        [expired!.userA, 'ended'],
        [expired!.userB, 'queued'],
      ]);
      assert.equal(await services.reconciler.settleOrphans(), 0, 'nothing left the second time');
      const cooled = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM recent_contacts
        WHERE user_id IN (${declined!.userA}, ${declined!.userB})`);
      assert.equal(cooled, 2, 'the declined pair is cooled down');
    });
  });
});

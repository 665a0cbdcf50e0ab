import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/logger.js';
import { createEffectSweeper } from '../../src/proposals/effect-sweeper.js';
import { createProposalRuntime } from '../../src/proposals/proposal-runtime.js';
import type { SettlementExecutor } from '../../src/proposals/proposal-outbox.js';
import { loadDurableProposal } from '../../src/proposals/proposal-durable.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countingExecutor,
  createProposalRows,
  durableState,
  realExecutor,
  searchesOf,
  streamEntriesOf,
} from './proposal-support.js';

/**
 * A decided proposal's PostgreSQL effects (the match closed, the pair's cooldown, both
 * searches settled) go to PostgreSQL as one call, all or nothing, and end in the same state
 * as the effects run one by one.
 */
describe('proposal settlement: a decision in one call', function () {
  this.timeout(60_000);
  let t: TestApp;
  let counter: ReturnType<typeof countingExecutor>;
  const settled: string[][] = [];
  let failing = false;

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
    counter = countingExecutor(realExecutor(t.app));
  });
  after(() => t?.stop());

  function runtime() {
    const { config, db, metrics, services } = t.app.deps;
    const settle: SettlementExecutor = async (matchId, effects) => {
      settled.push(effects.map((effect) => effect.type));
      if (failing) throw new Error('injected fault');
      await services.settle(matchId, effects);
    };
    return createProposalRuntime({
      store: services.store,
      execute: counter.execute,
      settle,
      loadDurable: (matchId) => loadDurableProposal(db, matchId, config.MAX_REQUEUES),
      metrics,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      retentionSeconds: 3_600,
    });
  }

  const ranOneByOne = (matchId: number) =>
    counter
      .executed(matchId)
      .map((key) => key.split('|')[1])
      .filter((type) => ['closeProposal', 'coolDownPair', 'settleSearch'].includes(type!));

  it('a decline: one call for four effects; both searches requeued and announced', async () => {
    const rt = runtime();
    const { db, redis, keys } = t.app.deps;
    const [row] = await createProposalRows(db, 1);
    await rt.create(row!.input);
    settled.length = 0;
    await rt.send(row!.matchId, { type: 'proposal.decline', userId: row!.userA });

    assert.deepEqual(settled, [['closeProposal', 'coolDownPair', 'settleSearch', 'settleSearch']]);
    assert.deepEqual(ranOneByOne(row!.matchId), []);
    const durable = await durableState(db, row!.matchId);
    assert.deepEqual(
      [durable.status, durable.declined_by, durable.engaged, durable.cooldowns],
      ['declined', row!.userA, 0, 2],
    );
    const searches = await searchesOf(db, row!.matchId);
    assert.deepEqual(
      searches.map((search) => [search.state, search.requeue_count]),
      [
        ['queued', 0],
        ['queued', 0],
      ],
    );
    for (const search of searches) {
      assert.equal(await streamEntriesOf(redis, keys, search.id), 1, 'announced once');
    }
    assert.deepEqual(
      (await t.app.deps.services.store.load(row!.matchId))?.pendingEffects,
      [],
      'nothing left pending',
    );
  });

  it('a failed call leaves all three pending, and the sweeper finishes them', async () => {
    const rt = runtime();
    const { db, services } = t.app.deps;
    const [row] = await createProposalRows(db, 1);
    await rt.create(row!.input);
    // One accepted, the other never answered: the first goes back to the queue (an expiry
    // counts toward the requeue limit), the second's search ends.
    await rt.send(row!.matchId, { type: 'proposal.accept', userId: row!.userA });
    failing = true;
    await rt.send(row!.matchId, { type: 'proposal.expire', at: row!.input.expiresAt });
    failing = false;
    const pending = (await services.store.load(row!.matchId))?.pendingEffects ?? [];
    // The notices wait too: they come after the settlement that failed.
    assert.deepEqual(
      pending.map((effect) => effect.type),
      ['closeProposal', 'settleSearch', 'settleSearch', 'notifyExpired', 'notifyExpired'],
    );
    assert.equal((await durableState(db, row!.matchId)).status, 'proposed', 'all or nothing');

    const sweeper = createEffectSweeper({
      store: services.store,
      runtime: rt,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      graceMs: 0,
    });
    await sweeper.sweep();
    assert.equal((await durableState(db, row!.matchId)).status, 'expired');
    const searches = new Map(
      (await searchesOf(db, row!.matchId)).map((search) => [search.user_id, search]),
    );
    assert.deepEqual(
      [searches.get(row!.userA)?.state, searches.get(row!.userA)?.requeue_count],
      ['queued', 1],
      'an expiry counts toward the requeue limit, once',
    );
    assert.deepEqual(
      [searches.get(row!.userB)?.state, searches.get(row!.userB)?.end_reason],
      ['ended', 'end_no_answer'],
    );
    assert.deepEqual((await services.store.load(row!.matchId))?.pendingEffects, []);
  });

  it('each effect alone does what it did before: run twice, nothing changes', async () => {
    const { db, services } = t.app.deps;
    const [row] = await createProposalRows(db, 1);
    const effects = [
      {
        type: 'closeProposal',
        params: { matchId: row!.matchId, status: 'declined', declinedBy: row!.userB },
      },
      {
        type: 'coolDownPair',
        params: { matchId: row!.matchId, userA: row!.userA, userB: row!.userB },
      },
      {
        type: 'settleSearch',
        params: { matchId: row!.matchId, userId: row!.userA, outcome: 'end_no_answer' },
      },
      {
        type: 'settleSearch',
        params: { matchId: row!.matchId, userId: row!.userB, outcome: 'requeue' },
      },
    ] as const;
    for (const round of [1, 2]) {
      for (const effect of effects) await services.execute(row!.matchId, effect);
      const durable = await durableState(db, row!.matchId);
      assert.deepEqual(
        [durable.status, durable.declined_by, durable.engaged, durable.cooldowns],
        ['declined', row!.userB, 0, 2],
        `round ${round}`,
      );
      const searches = await searchesOf(db, row!.matchId);
      const byUser = new Map(searches.map((search) => [search.user_id, search]));
      assert.deepEqual(
        [byUser.get(row!.userA)?.state, byUser.get(row!.userA)?.end_reason],
        ['ended', 'end_no_answer'],
      );
      assert.deepEqual(
        [byUser.get(row!.userB)?.state, byUser.get(row!.userB)?.requeue_count],
        ['queued', 0],
      );
    }
  });
});

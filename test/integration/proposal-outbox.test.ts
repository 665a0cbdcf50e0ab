import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/logger.js';
import { createEffectSweeper } from '../../src/proposals/effect-sweeper.js';
import {
  createProposalRuntime,
  type EffectExecutor,
} from '../../src/proposals/proposal-runtime.js';
import { loadDurableProposal } from '../../src/proposals/proposal-durable.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countingExecutor,
  createProposalRows,
  durableState,
  realExecutor,
} from './proposal-support.js';

/**
 * The outbox inside each record: effects saved with the snapshot, finished by the sweeper
 * when the process that saved them died or an effect failed.
 */
describe('proposal outbox and effect sweeper', function () {
  this.timeout(60_000);
  let t: TestApp;
  const failing = new Set<number>();
  let counter: ReturnType<typeof countingExecutor>;
  let faulty: EffectExecutor;

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
    // The real effects, counted when they run, with faults injected in front of them for the
    // matches listed in `failing` (a failed attempt does not reach the effect).
    counter = countingExecutor(realExecutor(t.app));
    faulty = async (matchId, effect) => {
      if (failing.has(matchId)) throw new Error('injected fault');
      await counter.execute(matchId, effect);
    };
  });
  after(() => t?.stop());

  function runtime() {
    const { config, db, metrics, services } = t.app.deps;
    return createProposalRuntime({
      store: services.store,
      execute: faulty,
      loadDurable: (matchId) => loadDurableProposal(db, matchId, config.MAX_REQUEUES),
      metrics,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      retentionSeconds: 3_600,
    });
  }

  it('finishes effects a failed run left behind, once each, then forgets the proposal', async () => {
    const rt = runtime();
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await rt.create(row!.input);
    failing.add(row!.matchId);
    await rt.send(row!.matchId, { type: 'proposal.decline', userId: row!.userA });
    const { store } = t.app.deps.services;
    assert.equal((await store.load(row!.matchId))?.pendingEffects.length, 7, 'all pending');
    assert.equal((await durableState(t.app.deps.db, row!.matchId)).status, 'proposed');

    failing.delete(row!.matchId);
    const sweeper = createEffectSweeper({
      store,
      runtime: rt,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      graceMs: 0,
    });

    await sweeper.sweep();
    const durable = await durableState(t.app.deps.db, row!.matchId);
    assert.equal(durable.status, 'declined');
    assert.equal(durable.engaged, 0);
    assert.equal(durable.cooldowns, 2);
    assert.deepEqual((await store.load(row!.matchId))?.pendingEffects, []);
    assert.equal(
      (await store.indexed(Date.now() + 1_000, 1_000)).some((e) => e.matchId === row!.matchId),
      false,
    );
    assert.deepEqual(counter.duplicates(), []);
  });

  it('a proposal whose effects keep failing does not starve the others', async () => {
    const rt = runtime();
    const [stuck, healthy] = await createProposalRows(t.app.deps.db, 2);
    failing.add(stuck!.matchId);
    await rt.create(stuck!.input); // oldest in the index, and failing
    failing.add(healthy!.matchId);
    await rt.create(healthy!.input);
    failing.delete(healthy!.matchId);

    const { store } = t.app.deps.services;
    const sweeper = createEffectSweeper({
      store,
      runtime: rt,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      graceMs: 0,
    });
    // One at a time: the stuck one first (oldest), then it must go to the back of the line.
    await sweeper.sweep(1);
    await sweeper.sweep(1);
    assert.deepEqual((await store.load(healthy!.matchId))?.pendingEffects, []);
    assert.equal((await store.load(stuck!.matchId))?.pendingEffects.length, 3);
    failing.delete(stuck!.matchId);
  });

  it('indexes in the order of the calls, even within one millisecond', async () => {
    const { store } = t.app.deps.services;
    // Ids far from the rows the other tests create, and unindexed at the end.
    const ids = Array.from({ length: 200 }, (_, i) => 900_000 + i);
    const tokens: string[] = [];
    for (const id of ids) tokens.push(await store.index(id));
    const listed = (await store.indexed(Date.now() + 1_000, 10_000))
      .map((entry) => entry.matchId)
      .filter((id) => id >= 900_000);
    assert.deepEqual(listed, ids);
    await Promise.all(ids.map((id, i) => store.unindex(id, tokens[i]!)));
  });

  it('an entry indexed in this very millisecond is due to a sweep with no grace', async () => {
    const { store } = t.app.deps.services;
    const ids = Array.from({ length: 200 }, (_, i) => 910_000 + i);
    const missed: number[] = [];
    for (const id of ids) {
      const token = await store.index(id);
      const due = await store.indexed(Date.now(), 10_000);
      if (!due.some((entry) => entry.matchId === id)) missed.push(id);
      await store.unindex(id, token);
    }
    assert.deepEqual(missed, []);
  });

  it('drops an unreadable pending effect instead of failing on it forever', async () => {
    const rt = runtime();
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await rt.create(row!.input);
    const { redis, keys, services } = t.app.deps;
    await redis.hset(keys.proposal(row!.matchId), 'fx:000001.07', '{broken');
    const token = await services.store.index(row!.matchId);
    await rt.finishPending(row!.matchId, token);
    assert.deepEqual((await services.store.load(row!.matchId))?.pendingEffects, []);
  });

  it('removes a record only at the revision the caller read', async () => {
    const rt = runtime();
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await rt.create(row!.input);
    await rt.send(row!.matchId, { type: 'proposal.accept', userId: row!.userA });
    const { store } = t.app.deps.services;
    assert.equal(await store.remove(row!.matchId, 1), false, 'a stale reader deletes nothing');
    assert.equal((await store.load(row!.matchId))?.rev, 2);
    assert.equal(await store.remove(row!.matchId, 2), true);
    assert.equal(await store.load(row!.matchId), null);
  });

  it("sends both people's proposal at once; one person's failure leaves only theirs pending", async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    const { userA, userB, matchId } = row!.input;
    const started: number[] = [];
    let releaseA!: () => void;
    const gateA = new Promise<void>((resolve) => (releaseA = resolve));
    const { config, db, metrics, services } = t.app.deps;
    const rt = createProposalRuntime({
      store: services.store,
      execute: async (id, effect) => {
        if (effect.type !== 'sendProposal') return counter.execute(id, effect);
        started.push(effect.params.userId);
        if (effect.params.userId !== userA) return counter.execute(id, effect);
        // A's message waits until B's has started, then fails: B's must not wait for it.
        await gateA;
        throw new Error('injected fault');
      },
      loadDurable: (id) => loadDurableProposal(db, id, config.MAX_REQUEUES),
      metrics,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      retentionSeconds: 3_600,
    });
    const created = rt.create(row!.input);
    while (started.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual([...started].sort(), [userA, userB].sort());
    releaseA();
    await created;

    const { store } = services;
    const pending = (await store.load(matchId))?.pendingEffects ?? [];
    assert.deepEqual(
      pending.map((effect) => [effect.type, effect.params.userId]),
      [['sendProposal', userA]],
    );
    const due = await store.indexed(Date.now() + 1_000, 10_000);
    assert.ok(
      due.some((entry) => entry.matchId === matchId),
      'still indexed for the sweeper',
    );
    await runtime().finishPending(matchId, due.find((entry) => entry.matchId === matchId)!.token);
    assert.deepEqual((await store.load(matchId))?.pendingEffects, []);
    const after = await store.indexed(Date.now() + 1_000, 10_000);
    assert.equal(
      after.some((entry) => entry.matchId === matchId),
      false,
    );
  });
});

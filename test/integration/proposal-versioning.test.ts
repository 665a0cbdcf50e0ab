import { strict as assert } from 'node:assert';
import type { Job } from 'bullmq';
import { transition } from 'xstate';
import {
  PROPOSAL_MACHINE_VERSION,
  proposalMachine,
  type ProposalEvent,
} from '../../machines/proposal.machine.js';
import { AppError } from '../../src/errors.js';
import { statusOfState } from '../../src/proposals/proposal-status.js';
import {
  createProposalTimerProcessor,
  type ProposalTimerData,
} from '../../src/proposals/proposal-timers.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { readGoldens } from '../fixtures/proposal-snapshots/goldens.js';
import { createProposalRows, durableState, type ProposalRow } from './proposal-support.js';

/**
 * Records as Redis may hold them after a deploy or a fault: the committed golden snapshots of
 * the current version, an older version with no migration, a version nobody knows, a newer
 * one, and plain garbage. Old and broken records end cleanly (rebuilt from PostgreSQL); no
 * event or timer for them crashes.
 */
describe('proposal snapshot versions through the runtime', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
  });
  after(() => t?.stop());

  /** Writes a record field by field, as a release (or a fault) left it. */
  async function writeRecord(matchId: number, fields: Record<string, string>) {
    const { redis, keys } = t.app.deps;
    await redis.unlink(keys.proposal(matchId));
    await redis.hset(keys.proposal(matchId), fields);
  }

  /** A golden rewritten for a real match: same shape, this match's ids and deadline. */
  function goldenFor(row: ProposalRow, snapshot: { context: Record<string, unknown> }) {
    const { context } = snapshot;
    const real = (id: unknown) =>
      id === context.userA ? row.userA : id === context.userB ? row.userB : id;
    return {
      ...snapshot,
      context: {
        ...context,
        matchId: row.matchId,
        userA: row.userA,
        userB: row.userB,
        expiresAt: row.input.expiresAt,
        declinedBy: real(context.declinedBy),
      },
    };
  }

  for (const { name, version, golden } of readGoldens()) {
    it(`restores ${name} and goes on from it`, async () => {
      const [row] = await createProposalRows(t.app.deps.db, 1);
      const snapshot = goldenFor(row!, golden.snapshot);
      await writeRecord(row!.matchId, {
        v: String(version),
        rev: String(golden.rev),
        snap: JSON.stringify(snapshot),
      });
      // B accepts: what the machine makes of the golden is what the runtime must do.
      const event: ProposalEvent = { type: 'proposal.accept', userId: row!.userB };
      const [expected] = transition(
        proposalMachine,
        proposalMachine.resolveState(snapshot as never),
        event,
      );
      const result = await t.app.deps.services.runtime.send(row!.matchId, event);
      assert.equal(result.status, statusOfState(expected.value));
      const record = await t.app.deps.services.store.load(row!.matchId);
      assert.equal((record?.snapshot as { value: string }).value, expected.value);
      assert.equal(record?.machineVersion, PROPOSAL_MACHINE_VERSION);
      assert.equal(record?.rev, golden.rev + (result.changed ? 1 : 0));
      if (expected.value === 'Confirmed' && result.changed) {
        assert.equal((await durableState(t.app.deps.db, row!.matchId)).chats, 1);
      }
    });
  }

  const ended: [string, Record<string, string>][] = [
    ['an older version with no migration', { v: '0', rev: '7', snap: '{"value":"Waiting"}' }],
    ['an unreadable version', { v: 'banana', rev: '7', snap: '{}' }],
    ['a snapshot that is not JSON', { v: '1', rev: '7', snap: '{"value":"Wait' }],
    ['a snapshot of an unknown state', { v: '1', rev: '7', snap: '{"value":"Limbo"}' }],
    ['no rev and no snapshot, only an effect', { 'fx:000001.00': 'garbage' }],
  ];
  for (const [what, fields] of ended) {
    it(`ends ${what} cleanly and rebuilds it from PostgreSQL`, async () => {
      const [row] = await createProposalRows(t.app.deps.db, 1);
      await writeRecord(row!.matchId, fields);
      const result = await t.app.deps.services.runtime.send(row!.matchId, {
        type: 'proposal.accept',
        userId: row!.userA,
      });
      assert.deepEqual(result, { status: 'waiting', changed: true });
      const record = await t.app.deps.services.store.load(row!.matchId);
      assert.equal(record?.machineVersion, PROPOSAL_MACHINE_VERSION);
      assert.equal(record?.rev, 2, 'rebuilt (1), then the acceptance (2)');
      assert.deepEqual(record?.pendingEffects, []);
      const snapshot = record?.snapshot as { value: string; context: { acceptedA: boolean } };
      assert.equal(snapshot.value, 'Waiting');
      assert.equal(snapshot.context.acceptedA, true);
      assert.equal((await durableState(t.app.deps.db, row!.matchId)).accepted_a, true);
    });
  }

  it('a due timer for a corrupt record still expires the proposal (the worker does not crash)', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await writeRecord(row!.matchId, { v: '1', rev: '3', snap: 'not json at all' });
    const { expiresAt } = row!.input;
    const processor = createProposalTimerProcessor(t.app.deps.services.runtime, () => expiresAt);
    const data = { matchId: row!.matchId, expiresAt };
    assert.equal(await processor({ data } as Job<ProposalTimerData>), 'expired');
    const durable = await durableState(t.app.deps.db, row!.matchId);
    assert.equal(durable.status, 'expired');
    assert.equal(durable.engaged, 0, 'nobody stays busy');
  });

  it('replaces a stale record of an earlier match with the same id when creating', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    // As after a database reset with Redis kept: match ids start again at 1.
    const stale = readGoldens().find((entry) => entry.name.endsWith('-declined'))!.golden;
    const snapshot = {
      ...stale.snapshot,
      context: { ...stale.snapshot.context, matchId: row!.matchId },
    };
    await writeRecord(row!.matchId, { v: '1', rev: '3', snap: JSON.stringify(snapshot) });
    const result = await t.app.deps.services.runtime.create(row!.input);
    assert.deepEqual(result, { status: 'waiting', changed: true });
    const record = await t.app.deps.services.store.load(row!.matchId);
    const context = (record?.snapshot as { context: { userA: number } }).context;
    assert.equal(context.userA, row!.userA);
    assert.equal(record?.rev, 1);
    assert.deepEqual(record?.pendingEffects, [], 'the proposals went out');
  });

  it('leaves a record of a newer release alone and asks the caller to retry', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    const fields = { v: String(PROPOSAL_MACHINE_VERSION + 1), rev: '4', snap: '{"future":true}' };
    await writeRecord(row!.matchId, fields);
    await assert.rejects(
      t.app.deps.services.runtime.send(row!.matchId, {
        type: 'proposal.accept',
        userId: row!.userA,
      }),
      (error: unknown) => error instanceof AppError && error.code === 'unavailable',
    );
    await assert.rejects(
      t.app.deps.services.runtime.create(row!.input),
      (error: unknown) => error instanceof AppError && error.code === 'unavailable',
    );
    const { redis, keys } = t.app.deps;
    assert.deepEqual(await redis.hgetall(keys.proposal(row!.matchId)), fields);
  });

  it('creates over a corrupt record instead of leaving the users without a proposal', async () => {
    const [row] = await createProposalRows(t.app.deps.db, 1);
    await writeRecord(row!.matchId, { v: '1', rev: '2', snap: '[]' });
    const result = await t.app.deps.services.runtime.create(row!.input);
    assert.deepEqual(result, { status: 'waiting', changed: true });
    assert.equal((await t.app.deps.services.store.load(row!.matchId))?.rev, 1);
  });
});

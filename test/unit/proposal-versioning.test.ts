import { strict as assert } from 'node:assert';
import { initialTransition, transition } from 'xstate';
import { PROPOSAL_MACHINE_VERSION, proposalMachine } from '../../machines/proposal.machine.js';
import { createLogger } from '../../src/logger.js';
import { migrateRecord } from '../../src/proposals/proposal-versioning.js';
import { replayDurable, restoreSnapshot } from '../../src/proposals/proposal-snapshot.js';
import { readGoldens } from '../fixtures/proposal-snapshots/goldens.js';

const log = createLogger('silent');

describe('proposal snapshot versions', () => {
  const goldens = readGoldens();
  const current = goldens.filter((entry) => entry.version === PROPOSAL_MACHINE_VERSION);

  it('has golden snapshots of the current version for every final and waiting state', () => {
    const states = new Set(current.map((entry) => entry.golden.snapshot.value));
    assert.deepEqual([...states].sort(), Object.keys(proposalMachine.root.states).sort());
    assert.ok(current.some((entry) => entry.name.endsWith('waiting-one-accepted')));
  });

  for (const { name, version, golden } of goldens) {
    if (version === PROPOSAL_MACHINE_VERSION) {
      it(`${name}: the machine still produces exactly this snapshot`, () => {
        // A failure here means stored snapshots changed meaning: bump PROPOSAL_MACHINE_VERSION,
        // add a migration from this version, and commit goldens of the new version beside these.
        let [snapshot] = initialTransition(proposalMachine, golden.input);
        for (const event of golden.events)
          [snapshot] = transition(proposalMachine, snapshot, event);
        const stored: unknown = JSON.parse(
          JSON.stringify(proposalMachine.getPersistedSnapshot(snapshot)),
        );
        assert.deepEqual(stored, golden.snapshot);
        assert.equal(golden.rev, 1 + golden.events.length);
      });
    }

    it(`${name}: restores (migrating if older) into the current machine`, () => {
      const record = migrateRecord(golden, log, golden.input.matchId);
      assert.ok(record, `no migration path from v${version}`);
      assert.equal(record.machineVersion, PROPOSAL_MACHINE_VERSION);
      const restored = restoreSnapshot(record.snapshot, golden.input.matchId);
      assert.ok(restored, 'the snapshot does not fit the machine');
      assert.equal(restored.value, golden.snapshot.value);
      assert.equal(restored.status, golden.snapshot.status);
    });
  }

  it('migrates step by step, and gives up cleanly when a step is missing or throws', () => {
    const golden = current[0]!.golden;
    const old = { ...golden, machineVersion: 0, snapshot: { legacy: golden.snapshot } };
    const unwrap = { 0: (snapshot: unknown) => (snapshot as { legacy: unknown }).legacy };
    const migrated = migrateRecord(old, log, 1, unwrap, 1);
    assert.deepEqual(migrated, { ...golden, machineVersion: 1 });

    assert.equal(migrateRecord(old, log, 1, {}, 1), null, 'no migration from v0');
    const broken = {
      0: () => {
        throw new Error('bad data');
      },
    };
    assert.equal(migrateRecord(old, log, 1, broken, 1), null, 'a throwing step');
    assert.equal(migrateRecord({ ...old, machineVersion: Number.NaN }, log, 1, unwrap, 1), null);
  });

  it('refuses snapshots that do not fit the machine instead of restoring garbage', () => {
    const good = current.find((entry) => entry.name.endsWith('-waiting'))!.golden;
    const snapshot = good.snapshot;
    const matchId = good.input.matchId;
    assert.ok(restoreSnapshot(snapshot, matchId));
    const bad: unknown[] = [
      undefined,
      null,
      'Waiting',
      { ...snapshot, value: 'Limbo' },
      { ...snapshot, context: { ...snapshot.context, userA: undefined } },
      { ...snapshot, context: { ...snapshot.context, acceptedA: 'yes' } },
      { ...snapshot, context: { ...snapshot.context, declinedBy: 999 } },
      { ...snapshot, context: { ...snapshot.context, userB: snapshot.context.userA } },
    ];
    for (const candidate of bad) assert.equal(restoreSnapshot(candidate, matchId), null);
    assert.equal(restoreSnapshot(snapshot, matchId + 1), null, 'a snapshot of another match');
  });

  it('replays PostgreSQL’s facts: nobody, one or both accepted', () => {
    const input = current[0]!.golden.input;
    const base = { ...input, acceptedA: false, acceptedB: false, declinedBy: null };
    const types = (actions: readonly { type: string }[]) => actions.map((action) => action.type);

    const none = replayDurable(base);
    assert.equal(none.snapshot.value, 'Waiting');
    assert.deepEqual(types(none.actions), ['scheduleExpiry', 'sendProposal', 'sendProposal']);

    const one = replayDurable({ ...base, acceptedB: true });
    assert.equal(one.snapshot.value, 'Waiting');
    assert.equal(one.snapshot.context.acceptedB, true);
    assert.deepEqual(types(one.actions).slice(3), ['recordAcceptance']);

    const both = replayDurable({ ...base, acceptedA: true, acceptedB: true });
    assert.equal(both.snapshot.value, 'Confirmed');
    assert.deepEqual(types(both.actions).slice(3), [
      'recordAcceptance',
      'cancelExpiry',
      'recordAcceptance',
      'startChat',
      'coolDownPair',
      'sendIntro',
      'sendIntro',
    ]);
  });
});

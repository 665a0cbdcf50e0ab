import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { transition } from 'xstate';
import {
  proposalMachine,
  type ProposalContext,
  type ProposalEvent,
} from '../../machines/proposal.machine.js';
import { AppError } from '../../src/errors.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countingExecutor,
  createProposalRows,
  createRuntimeClient,
  durableState,
  effectKey,
  realExecutor,
  type RuntimeClient,
  type SavedRevision,
} from './proposal-support.js';

type Who = 'A' | 'B' | 'stranger';
type Step = { kind: 'accept' | 'decline'; who: Who } | { kind: 'expire'; due: boolean };

const who = fc.constantFrom<Who>('A', 'B', 'stranger');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom<'accept' | 'decline'>('accept', 'decline'), who }),
  fc.record({ kind: fc.constant<'expire'>('expire'), due: fc.boolean() }),
);
/** Batches run one after another; the events inside a batch race each other. */
const scenario = fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), {
  minLength: 1,
  maxLength: 6,
});

const STATUS_OF: Record<string, string> = {
  Waiting: 'proposed',
  Confirmed: 'active',
  Declined: 'declined',
  Expired: 'expired',
};

/**
 * Random event sequences, with duplicates, early and late expiries, strangers, and events
 * racing inside a batch (sent through two runtimes on separate Redis connections), driven
 * through the real runtime and effects. Every run checks that the saved revisions form a
 * chain the pure machine would produce, that each named effect ran exactly once, and that
 * PostgreSQL agrees with the one final state.
 */
describe('proposal runtime: property-based', function () {
  this.timeout(300_000);
  let t: TestApp;
  let one: RuntimeClient;
  let two: RuntimeClient;
  let strangerId = 0;

  before(async () => {
    t = await startTestApp({ ROLES: 'api' });
    const counter = countingExecutor(realExecutor(t.app));
    one = createRuntimeClient(t.app, counter);
    two = createRuntimeClient(t.app, counter);
    strangerId = (await createProposalRows(t.app.deps.db, 1))[0]!.userA;
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await t?.stop();
  });

  function savesOf(matchId: number): SavedRevision[] {
    return [...one.saves, ...two.saves]
      .filter((save) => save.matchId === matchId)
      .sort((a, b) => a.rev - b.rev);
  }

  it('keeps one final state, never duplicates an effect, and counts every change once', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (batches) => {
        const [row] = await createProposalRows(t.app.deps.db, 1);
        const { matchId, input } = row!;
        const userOf = { A: row!.userA, B: row!.userB, stranger: strangerId };
        const toEvent = (s: Step): ProposalEvent =>
          s.kind === 'expire'
            ? { type: 'proposal.expire', at: input.expiresAt - (s.due ? 0 : 1_000) }
            : { type: `proposal.${s.kind}`, userId: userOf[s.who] };

        await one.runtime.create(input);
        const sent: ProposalEvent[] = [];
        let changes = 0;
        for (const batch of batches) {
          const events = batch.map(toEvent);
          sent.push(...events);
          const results = await Promise.allSettled(
            events.map((event, index) => (index % 2 ? two : one).runtime.send(matchId, event)),
          );
          for (const [index, result] of results.entries()) {
            const sentStep = batch[index]!;
            const strange = sentStep.kind !== 'expire' && sentStep.who === 'stranger';
            if (strange) {
              assert.equal(result.status, 'rejected', 'a stranger was let in');
              const error = result.reason as unknown;
              assert.ok(error instanceof AppError && error.code === 'forbidden', String(error));
            } else {
              if (result.status === 'rejected') throw result.reason;
              if (result.value.changed) changes += 1;
            }
          }
        }

        // Revisions: 1 (created), then exactly one per applied change, no gaps, no repeats.
        const saves = savesOf(matchId);
        assert.deepEqual(
          saves.map((save) => save.rev),
          Array.from({ length: changes + 1 }, (_, index) => index + 1),
        );
        // Each revision is what the pure machine makes of the previous one and a sent event.
        for (let index = 1; index < saves.length; index += 1) {
          const before = proposalMachine.resolveState(saves[index - 1]!.snapshot as never);
          const after = saves[index]!;
          const explained = sent.some((event) => {
            const [next, actions] = transition(proposalMachine, before, event);
            const effects = actions.map((action) => ({ type: action.type, params: action.params }));
            return (
              next.value === after.snapshot.value &&
              isDeepStrictEqual({ ...next.context }, { ...after.snapshot.context }) &&
              isDeepStrictEqual(
                effects,
                after.effects.map((e) => ({ type: e.type, params: e.params })),
              )
            );
          });
          assert.ok(explained, `revision ${after.rev} follows from no event that was sent`);
          assert.notEqual(before.status, 'done', 'a change after the final state');
        }

        // Effects: every one named by a saved revision ran exactly once, and nothing else ran.
        const named = saves.flatMap((save) => save.effects.map((e) => effectKey(matchId, e)));
        assert.equal(new Set(named).size, named.length, 'an effect was named twice');
        assert.deepEqual(one.counter.executed(matchId), [...named].sort());
        assert.deepEqual(
          one.counter.duplicates().filter((key) => key.startsWith(`${matchId}|`)),
          [],
        );

        // One final state at most, and PostgreSQL agrees with it.
        const last = saves[saves.length - 1]!.snapshot;
        const stored = await one.store.load(matchId);
        assert.equal(stored?.rev, saves.length);
        assert.deepEqual((stored?.snapshot as { value: string }).value, last.value);
        const context = last.context as unknown as ProposalContext;
        const durable = await durableState(t.app.deps.db, matchId);
        assert.equal(durable.status, STATUS_OF[last.value]);
        assert.equal(durable.accepted_a, context.acceptedA);
        assert.equal(durable.accepted_b, context.acceptedB);
        assert.equal(durable.declined_by, context.declinedBy);
        assert.equal(durable.chats, last.value === 'Confirmed' ? 1 : 0);
        assert.equal(durable.engaged, ['Declined', 'Expired'].includes(last.value) ? 0 : 2);
        // A decline keeps the pair apart, and so does a chat they have just had.
        assert.equal(
          durable.cooldowns,
          last.value === 'Declined' || last.value === 'Confirmed' ? 2 : 0,
        );
      }),
      { numRuns: 100 },
    );
  });
});

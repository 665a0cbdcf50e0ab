import { strict as assert } from 'node:assert';
import { initialTransition, transition } from 'xstate';
import {
  PROPOSAL_EFFECT_TYPES,
  expiryOutcome,
  isParticipant,
  proposalMachine,
  type ProposalEffect,
  type ProposalEvent,
  type ProposalInput,
} from '../../machines/proposal.machine.js';

/** Pure tests of the machine: xstate's `transition` computes, nothing is executed. */

const A = 11;
const B = 22;
const STRANGER = 33;
const EXPIRES = 1_800_000_000_000;
const input: ProposalInput = {
  matchId: 7,
  userA: A,
  userB: B,
  requeuesA: 0,
  requeuesB: 0,
  maxRequeues: 2,
  expiresAt: EXPIRES,
};

type Snapshot = ReturnType<typeof proposalMachine.resolveState>;

/** The effects, as the runtime sees them: name and params only. */
function effectsOf(actions: readonly { type: string; params?: unknown }[]): ProposalEffect[] {
  return actions.map(({ type, params }) => ({ type, params }) as ProposalEffect);
}

function start(overrides: Partial<ProposalInput> = {}) {
  const [snapshot, actions] = initialTransition(proposalMachine, { ...input, ...overrides });
  return { snapshot, effects: effectsOf(actions) };
}

function apply(snapshot: Snapshot, ...events: ProposalEvent[]) {
  let current = snapshot;
  let effects: ProposalEffect[] = [];
  for (const event of events) {
    const [next, actions] = transition(proposalMachine, current, event);
    current = next;
    effects = effectsOf(actions);
  }
  return { snapshot: current, effects };
}

const accept = (userId: number): ProposalEvent => ({ type: 'proposal.accept', userId });
const decline = (userId: number): ProposalEvent => ({ type: 'proposal.decline', userId });
const expire = (at = EXPIRES): ProposalEvent => ({ type: 'proposal.expire', at });

describe('proposal machine', () => {
  it('starts Waiting: arms the timer and sends both proposals', () => {
    const { snapshot, effects } = start();
    assert.equal(snapshot.value, 'Waiting');
    assert.equal(snapshot.status, 'active');
    assert.deepEqual(snapshot.context, {
      ...input,
      acceptedA: false,
      acceptedB: false,
      declinedBy: null,
    });
    assert.deepEqual(effects, [
      { type: 'scheduleExpiry', params: { matchId: 7, expiresAt: EXPIRES } },
      { type: 'sendProposal', params: { matchId: 7, userId: A, partnerId: B } },
      { type: 'sendProposal', params: { matchId: 7, userId: B, partnerId: A } },
    ]);
  });

  it('one acceptance stays Waiting and records it', () => {
    for (const [user, field] of [
      [A, 'acceptedA'],
      [B, 'acceptedB'],
    ] as const) {
      const { snapshot, effects } = apply(start().snapshot, accept(user));
      assert.equal(snapshot.value, 'Waiting');
      assert.equal(snapshot.context[field], true);
      assert.deepEqual(effects, [
        { type: 'recordAcceptance', params: { matchId: 7, userId: user } },
      ]);
    }
  });

  it('the second acceptance confirms: timer cancelled, chat started, pair cooled down, intros sent', () => {
    for (const [first, second] of [
      [A, B],
      [B, A],
    ]) {
      const { snapshot, effects } = apply(start().snapshot, accept(first!), accept(second!));
      assert.equal(snapshot.value, 'Confirmed');
      assert.equal(snapshot.status, 'done');
      assert.equal(snapshot.context.acceptedA && snapshot.context.acceptedB, true);
      assert.deepEqual(effects, [
        { type: 'cancelExpiry', params: { matchId: 7 } },
        { type: 'recordAcceptance', params: { matchId: 7, userId: second } },
        { type: 'startChat', params: { matchId: 7, userA: A, userB: B } },
        { type: 'coolDownPair', params: { matchId: 7, userA: A, userB: B } },
        { type: 'sendIntro', params: { matchId: 7, userId: A, partnerId: B } },
        { type: 'sendIntro', params: { matchId: 7, userId: B, partnerId: A } },
      ]);
    }
  });

  it('accepting twice is harmless: same snapshot, no effects', () => {
    const once = apply(start().snapshot, accept(A)).snapshot;
    const twice = apply(once, accept(A));
    assert.equal(twice.snapshot, once);
    assert.deepEqual(twice.effects, []);
  });

  it('ignores a stranger: accept and decline change nothing', () => {
    const initial = start().snapshot;
    for (const event of [accept(STRANGER), decline(STRANGER)]) {
      const result = apply(initial, event);
      assert.equal(result.snapshot, initial);
      assert.deepEqual(result.effects, []);
    }
  });

  it('a decline by either side ends Declined with cooldown, requeues and roles', () => {
    for (const [decliner, partner] of [
      [A, B],
      [B, A],
    ]) {
      const { snapshot, effects } = apply(start().snapshot, decline(decliner!));
      assert.equal(snapshot.value, 'Declined');
      assert.equal(snapshot.context.declinedBy, decliner);
      const role = (user: number) => (user === decliner ? 'decliner' : 'partner');
      assert.deepEqual(effects, [
        { type: 'cancelExpiry', params: { matchId: 7 } },
        { type: 'closeProposal', params: { matchId: 7, status: 'declined', declinedBy: decliner } },
        { type: 'coolDownPair', params: { matchId: 7, userA: A, userB: B } },
        { type: 'settleSearch', params: { matchId: 7, userId: A, outcome: 'requeue' } },
        { type: 'settleSearch', params: { matchId: 7, userId: B, outcome: 'requeue' } },
        { type: 'notifyDeclined', params: { matchId: 7, userId: A, role: role(A) } },
        { type: 'notifyDeclined', params: { matchId: 7, userId: B, role: role(B) } },
      ]);
      assert.equal(role(partner!), 'partner');
    }
  });

  it('a user may decline after accepting (changing their mind)', () => {
    const { snapshot } = apply(start().snapshot, accept(A), decline(A));
    assert.equal(snapshot.value, 'Declined');
    assert.equal(snapshot.context.declinedBy, A);
    assert.equal(snapshot.context.acceptedA, true);
  });

  it('ignores an expiry that is not yet due (isDue), takes one at the deadline', () => {
    const initial = start().snapshot;
    const early = apply(initial, expire(EXPIRES - 1));
    assert.equal(early.snapshot, initial);
    assert.deepEqual(early.effects, []);
    assert.equal(apply(initial, expire(EXPIRES)).snapshot.value, 'Expired');
    assert.equal(apply(initial, expire(EXPIRES + 60_000)).snapshot.value, 'Expired');
  });

  it('expiry with no answers ends both searches: end_no_answer', () => {
    const { snapshot, effects } = apply(start().snapshot, expire());
    assert.equal(snapshot.value, 'Expired');
    assert.equal(snapshot.context.declinedBy, null);
    assert.deepEqual(effects, [
      { type: 'cancelExpiry', params: { matchId: 7 } },
      { type: 'closeProposal', params: { matchId: 7, status: 'expired', declinedBy: null } },
      { type: 'settleSearch', params: { matchId: 7, userId: A, outcome: 'end_no_answer' } },
      { type: 'settleSearch', params: { matchId: 7, userId: B, outcome: 'end_no_answer' } },
      { type: 'notifyExpired', params: { matchId: 7, userId: A, outcome: 'end_no_answer' } },
      { type: 'notifyExpired', params: { matchId: 7, userId: B, outcome: 'end_no_answer' } },
    ]);
  });

  it('expiry requeues the one who accepted (requeue_expired) while requeues remain', () => {
    const { effects } = apply(start({ requeuesB: 1 }).snapshot, accept(B), expire());
    const settle = effects.filter((effect) => effect.type === 'settleSearch');
    assert.deepEqual(
      settle.map((effect) => effect.params),
      [
        { matchId: 7, userId: A, outcome: 'end_no_answer' },
        { matchId: 7, userId: B, outcome: 'requeue_expired' },
      ],
    );
    const notify = effects.filter((effect) => effect.type === 'notifyExpired');
    assert.deepEqual(
      notify.map((effect) => effect.params.outcome),
      ['end_no_answer', 'requeue_expired'],
    );
  });

  it('expiry ends an accepter’s search at the requeue limit (end_requeue_limit)', () => {
    const { effects } = apply(start({ requeuesA: 2 }).snapshot, accept(A), expire());
    const outcomes = effects
      .filter((effect) => effect.type === 'settleSearch' || effect.type === 'notifyExpired')
      .map((effect) => [effect.type, effect.params.userId, effect.params.outcome]);
    assert.deepEqual(outcomes, [
      ['settleSearch', A, 'end_requeue_limit'],
      ['settleSearch', B, 'end_no_answer'],
      ['notifyExpired', A, 'end_requeue_limit'],
      ['notifyExpired', B, 'end_no_answer'],
    ]);
  });

  it('final states accept nothing more', () => {
    const finals = [
      apply(start().snapshot, accept(A), accept(B)).snapshot,
      apply(start().snapshot, decline(B)).snapshot,
      apply(start().snapshot, expire()).snapshot,
    ];
    for (const final of finals) {
      assert.equal(final.status, 'done');
      for (const event of [accept(A), accept(B), decline(A), decline(B), expire()]) {
        const result = apply(final, event);
        assert.equal(result.snapshot, final, `${String(final.value)} ignores ${event.type}`);
        assert.deepEqual(result.effects, []);
      }
    }
  });

  it('guards and helpers: isParticipant, expiryOutcome', () => {
    const context = start({ requeuesA: 1, maxRequeues: 1 }).snapshot.context;
    assert.equal(isParticipant(context, A), true);
    assert.equal(isParticipant(context, B), true);
    assert.equal(isParticipant(context, STRANGER), false);
    assert.equal(expiryOutcome(context, A), 'end_no_answer');
    assert.equal(expiryOutcome({ ...context, acceptedA: true }, A), 'end_requeue_limit');
    assert.equal(expiryOutcome({ ...context, acceptedB: true }, B), 'requeue_expired');
  });

  it('names every effect the runtime knows, and nothing else', () => {
    const named = new Set<string>(start().effects.map((effect) => effect.type));
    const runs = [
      [accept(A), accept(B)],
      [accept(A), decline(B)],
      [accept(A), expire()],
    ];
    for (const events of runs) {
      let snapshot = start().snapshot;
      for (const event of events) {
        const result = apply(snapshot, event);
        snapshot = result.snapshot;
        for (const effect of result.effects) named.add(effect.type);
      }
    }
    assert.deepEqual([...named].sort(), [...PROPOSAL_EFFECT_TYPES].sort());
  });
});

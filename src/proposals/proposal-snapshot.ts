import { initialTransition, transition } from 'xstate';
import { z } from 'zod';
import { proposalMachine, type ProposalContext } from '../../machines/proposal.machine.js';
import type { NamedActions } from './proposal-outbox.js';

export type ProposalSnapshot = ReturnType<typeof proposalMachine.resolveState>;

const userId = z.number().int().positive();
const count = z.number().int().min(0);

// Derived from the machine, so a new state needs no edit here.
const stateKey = z
  .string()
  .refine((key) => Object.hasOwn(proposalMachine.root.states, key), 'not a state of the machine');

const persisted = z.object({
  value: stateKey,
  context: z.object({
    matchId: userId,
    userA: userId,
    userB: userId,
    acceptedA: z.boolean(),
    acceptedB: z.boolean(),
    requeuesA: count,
    requeuesB: count,
    maxRequeues: count,
    expiresAt: z.number().int().positive(),
    declinedBy: userId.nullable(),
  }),
});

/**
 * Turns a stored snapshot back into machine state, or null when it does not fit the current
 * machine: not an object, an unknown state, a context field missing or of the wrong type, a
 * decliner who is not a participant, or a snapshot of another match. Restoring garbage would
 * let effects run with undefined ids; refusing it lets the caller rebuild from PostgreSQL.
 */
export function restoreSnapshot(stored: unknown, matchId: number): ProposalSnapshot | null {
  const parsed = persisted.safeParse(stored);
  if (!parsed.success) return null;
  const { value, context } = parsed.data;
  if (context.matchId !== matchId || context.userA === context.userB) return null;
  if (context.declinedBy !== null && ![context.userA, context.userB].includes(context.declinedBy)) {
    return null;
  }
  try {
    return proposalMachine.resolveState({ value, context });
  } catch {
    return null;
  }
}

/**
 * The proposal PostgreSQL describes, replayed through the machine: created, then accepted by
 * whoever PostgreSQL says accepted. The actions of every step are returned in order; they
 * are idempotent, so re-issuing the ones that already ran is harmless, and the ones that had
 * not (a chat whose start was lost with Redis) now run. Both accepted means Confirmed.
 */
export function replayDurable(context: ProposalContext): {
  snapshot: ProposalSnapshot;
  actions: NamedActions;
} {
  const { acceptedA, acceptedB, declinedBy: _declinedBy, ...input } = context;
  const [initial, created] = initialTransition(proposalMachine, input);
  let snapshot = initial;
  const actions: { type: string; params?: unknown }[] = [...created];
  const accepted = [
    [acceptedA, context.userA],
    [acceptedB, context.userB],
  ] as const;
  for (const [did, userId] of accepted) {
    if (!did) continue;
    const [next, more] = transition(proposalMachine, snapshot, { type: 'proposal.accept', userId });
    snapshot = next;
    actions.push(...more);
  }
  return { snapshot, actions };
}

/**
 * The effects that deciding the proposal PostgreSQL describes as declined or expired runs:
 * only the last step's (closing, cooling down, settling both searches, telling both), not
 * the creation's, which must not send a decided proposal again. Null when PostgreSQL lacks
 * what the step needs (a decline with no decliner).
 */
export function replayDecision(
  context: ProposalContext,
  status: 'declined' | 'expired',
): NamedActions | null {
  const { snapshot } = replayDurable(context);
  if (snapshot.status === 'done') return null; // both accepted: a chat, not a decision
  if (status === 'declined' && context.declinedBy === null) return null;
  const [decided, actions] = transition(
    proposalMachine,
    snapshot,
    status === 'declined'
      ? { type: 'proposal.decline', userId: context.declinedBy! }
      : { type: 'proposal.expire', at: context.expiresAt },
  );
  return decided.status === 'done' ? actions : null;
}

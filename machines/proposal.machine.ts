import { and, assign, not, setup } from 'xstate';

/**
 * Bump when a change makes stored snapshots mean something else (a renamed state or context
 * field). The runtime migrates or ends snapshots of older versions; see proposal-versioning.ts.
 */
export const PROPOSAL_MACHINE_VERSION = 1;

export interface ProposalContext {
  matchId: number;
  userA: number;
  userB: number;
  acceptedA: boolean;
  acceptedB: boolean;
  /** Expiry requeues each user's search had already used when this proposal was made. */
  requeuesA: number;
  requeuesB: number;
  /** MAX_REQUEUES when the proposal was made, so replaying a snapshot gives the same result. */
  maxRequeues: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  declinedBy: number | null;
}

export type ProposalInput = Omit<ProposalContext, 'acceptedA' | 'acceptedB' | 'declinedBy'>;

export type ProposalEvent =
  | { type: 'proposal.accept'; userId: number }
  | { type: 'proposal.decline'; userId: number }
  /** `at` is when the timer fired (epoch ms); the machine has no clock of its own. */
  | { type: 'proposal.expire'; at: number };

/** What happens to one user's search when a proposal ends without a chat. */
export type SearchSettlement =
  'requeue' | 'requeue_expired' | 'end_no_answer' | 'end_requeue_limit';

/** Every effect the machine can name, with its params. The runtime executes them. */
export interface ProposalEffectParams {
  scheduleExpiry: { matchId: number; expiresAt: number };
  cancelExpiry: { matchId: number };
  sendProposal: { matchId: number; userId: number; partnerId: number };
  recordAcceptance: { matchId: number; userId: number };
  startChat: { matchId: number; userA: number; userB: number };
  sendIntro: { matchId: number; userId: number; partnerId: number };
  closeProposal: { matchId: number; status: 'declined' | 'expired'; declinedBy: number | null };
  coolDownPair: { matchId: number; userA: number; userB: number };
  settleSearch: { matchId: number; userId: number; outcome: SearchSettlement };
  notifyDeclined: { matchId: number; userId: number; role: 'decliner' | 'partner' };
  notifyExpired: { matchId: number; userId: number; outcome: SearchSettlement };
}

export type ProposalEffectType = keyof ProposalEffectParams;

/** One named effect; `ProposalEffect<K>` narrows it to the effects named in K. */
export type ProposalEffect<K extends ProposalEffectType = ProposalEffectType> = {
  [P in K]: { type: P; params: ProposalEffectParams[P] };
}[K];

export const PROPOSAL_EFFECT_TYPES: readonly ProposalEffectType[] = [
  'scheduleExpiry',
  'cancelExpiry',
  'sendProposal',
  'recordAcceptance',
  'startChat',
  'sendIntro',
  'closeProposal',
  'coolDownPair',
  'settleSearch',
  'notifyDeclined',
  'notifyExpired',
];

/** True when `userId` is one of the two people the proposal is for. */
export function isParticipant(context: ProposalContext, userId: number): boolean {
  return userId === context.userA || userId === context.userB;
}

function hasAccepted(context: ProposalContext, userId: number): boolean {
  return userId === context.userA ? context.acceptedA : context.acceptedB;
}

/**
 * After expiry, a user who accepted goes back to searching (while requeues remain);
 * one who did not answer is taken out of the search.
 */
export function expiryOutcome(context: ProposalContext, userId: number): SearchSettlement {
  if (!hasAccepted(context, userId)) return 'end_no_answer';
  const used = userId === context.userA ? context.requeuesA : context.requeuesB;
  return used < context.maxRequeues ? 'requeue_expired' : 'end_requeue_limit';
}

// The effects are named here and performed by src/proposals; these bodies never run there
// (the runtime uses xstate's pure `transition`), so they deliberately do nothing.
const named = <K extends ProposalEffectType>(_: unknown, _params: ProposalEffectParams[K]) => {};

type Ctx = { context: ProposalContext };
type Ev<T extends ProposalEvent['type']> = { event: Extract<ProposalEvent, { type: T }> };
const other = (context: ProposalContext, userId: number) =>
  userId === context.userA ? context.userB : context.userA;

export const proposalMachine = setup({
  types: {
    context: {} as ProposalContext,
    events: {} as ProposalEvent,
    input: {} as ProposalInput,
  },
  guards: {
    isParticipant: ({ context, event }) =>
      'userId' in event && isParticipant(context, event.userId),
    hasAccepted: ({ context, event }) => 'userId' in event && hasAccepted(context, event.userId),
    hasOtherAccepted: ({ context, event }) =>
      'userId' in event && hasAccepted(context, other(context, event.userId)),
    isDue: ({ context, event }) =>
      event.type === 'proposal.expire' && event.at >= context.expiresAt,
  },
  actions: {
    markAccepted: assign(({ context, event }) => {
      if (event.type !== 'proposal.accept') return {};
      return event.userId === context.userA ? { acceptedA: true } : { acceptedB: true };
    }),
    markDeclined: assign(({ event }) =>
      event.type === 'proposal.decline' ? { declinedBy: event.userId } : {},
    ),
    scheduleExpiry: named<'scheduleExpiry'>,
    cancelExpiry: named<'cancelExpiry'>,
    sendProposal: named<'sendProposal'>,
    recordAcceptance: named<'recordAcceptance'>,
    startChat: named<'startChat'>,
    sendIntro: named<'sendIntro'>,
    closeProposal: named<'closeProposal'>,
    coolDownPair: named<'coolDownPair'>,
    settleSearch: named<'settleSearch'>,
    notifyDeclined: named<'notifyDeclined'>,
    notifyExpired: named<'notifyExpired'>,
  },
}).createMachine({
  id: 'proposal',
  context: ({ input }) => ({ ...input, acceptedA: false, acceptedB: false, declinedBy: null }),
  initial: 'Waiting',
  states: {
    Waiting: {
      entry: [
        {
          type: 'scheduleExpiry',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            expiresAt: context.expiresAt,
          }),
        },
        {
          type: 'sendProposal',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context.userA,
            partnerId: context.userB,
          }),
        },
        {
          type: 'sendProposal',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context.userB,
            partnerId: context.userA,
          }),
        },
      ],
      exit: [
        { type: 'cancelExpiry', params: ({ context }: Ctx) => ({ matchId: context.matchId }) },
      ],
      on: {
        'proposal.accept': [
          {
            guard: and(['isParticipant', not('hasAccepted'), 'hasOtherAccepted']),
            target: 'Confirmed',
            actions: [
              'markAccepted',
              {
                type: 'recordAcceptance',
                params: ({ context, event }: Ctx & Ev<'proposal.accept'>) => ({
                  matchId: context.matchId,
                  userId: event.userId,
                }),
              },
            ],
          },
          {
            guard: and(['isParticipant', not('hasAccepted')]),
            actions: [
              'markAccepted',
              {
                type: 'recordAcceptance',
                params: ({ context, event }: Ctx & Ev<'proposal.accept'>) => ({
                  matchId: context.matchId,
                  userId: event.userId,
                }),
              },
            ],
          },
        ],
        'proposal.decline': { guard: 'isParticipant', target: 'Declined', actions: 'markDeclined' },
        'proposal.expire': { guard: 'isDue', target: 'Expired' },
      },
    },
    Confirmed: {
      type: 'final',
      entry: [
        {
          type: 'startChat',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userA: context.userA,
            userB: context.userB,
          }),
        },
        // People who have just talked are not proposed to each other again for a while.
        {
          type: 'coolDownPair',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userA: context.userA,
            userB: context.userB,
          }),
        },
        {
          type: 'sendIntro',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context.userA,
            partnerId: context.userB,
          }),
        },
        {
          type: 'sendIntro',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context.userB,
            partnerId: context.userA,
          }),
        },
      ],
    },
    Declined: {
      type: 'final',
      entry: [
        {
          type: 'closeProposal',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            status: 'declined' as const,
            declinedBy: context.declinedBy,
          }),
        },
        {
          type: 'coolDownPair',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userA: context.userA,
            userB: context.userB,
          }),
        },
        ...(['userA', 'userB'] as const).map((side) => ({
          type: 'settleSearch' as const,
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context[side],
            outcome: 'requeue' as const,
          }),
        })),
        ...(['userA', 'userB'] as const).map((side) => ({
          type: 'notifyDeclined' as const,
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context[side],
            role:
              context.declinedBy === context[side] ? ('decliner' as const) : ('partner' as const),
          }),
        })),
      ],
    },
    Expired: {
      type: 'final',
      entry: [
        {
          type: 'closeProposal',
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            status: 'expired' as const,
            declinedBy: null,
          }),
        },
        ...(['userA', 'userB'] as const).map((side) => ({
          type: 'settleSearch' as const,
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context[side],
            outcome: expiryOutcome(context, context[side]),
          }),
        })),
        ...(['userA', 'userB'] as const).map((side) => ({
          type: 'notifyExpired' as const,
          params: ({ context }: Ctx) => ({
            matchId: context.matchId,
            userId: context[side],
            outcome: expiryOutcome(context, context[side]),
          }),
        })),
      ],
    },
  },
});

export type ProposalMachine = typeof proposalMachine;
export type ProposalStateValue = 'Waiting' | 'Confirmed' | 'Declined' | 'Expired';

import type { ProposalStateValue } from '../../machines/proposal.machine.js';
import type { MatchStatus } from '../db/queries/matches.js';

/** What `/match/confirm` reports; `waiting` means the other side has not answered yet. */
export type ProposalStatus = 'waiting' | 'active' | 'declined' | 'expired';

const BY_STATE: Record<ProposalStateValue, ProposalStatus> = {
  Waiting: 'waiting',
  Confirmed: 'active',
  Declined: 'declined',
  Expired: 'expired',
};

/** What applying an event did. */
export interface ApplyResult {
  status: ProposalStatus;
  /** False when the event changed nothing (duplicate, too late, or too early). */
  changed: boolean;
}

export function statusOfState(value: unknown): ProposalStatus {
  const status = BY_STATE[value as ProposalStateValue];
  if (!status) throw new Error(`unknown proposal state ${JSON.stringify(value)}`);
  return status;
}

export function statusOfMatch(status: MatchStatus): ProposalStatus {
  return status === 'proposed' ? 'waiting' : status;
}

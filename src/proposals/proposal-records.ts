import {
  PROPOSAL_MACHINE_VERSION,
  isParticipant,
  proposalMachine,
  type ProposalEvent,
} from '../../machines/proposal.machine.js';
import { AppError } from '../errors.js';
import type { ProposalRecord, ProposalStore } from './proposal-store.js';
import { toEffects, type NamedActions, type ProposalOutbox } from './proposal-outbox.js';
import { statusOfMatch, type ApplyResult } from './proposal-status.js';
import { migrateRecord } from './proposal-versioning.js';
import { replayDurable, restoreSnapshot, type ProposalSnapshot } from './proposal-snapshot.js';

import type { DurableProposal } from './proposal-durable.js';
import type { ProposalInspector } from './proposal-inspector.js';
import type { Logger } from '../logger.js';

/** The runtime's dependencies that record keeping uses. */
export interface ProposalRecordDeps {
  store: ProposalStore;
  loadDurable: (matchId: number) => Promise<DurableProposal | null>;
  log: Logger;
  inspector?: ProposalInspector;
  retentionSeconds: number;
  now?: () => number;
}

export const userOf = (event: ProposalEvent) => ('userId' in event ? event.userId : undefined);

/**
 * How the runtime reads, creates and rebuilds proposal records: first saves, the rebuild of
 * a lost record from PostgreSQL, and the reading of records saved by older releases.
 */
export function createProposalRecords(deps: ProposalRecordDeps, outbox: ProposalOutbox) {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;

  /** How long a record stays: until it is due plus the retention, or the retention once done. */
  const ttlOf = (snapshot: ProposalSnapshot) =>
    snapshot.status === 'done'
      ? deps.retentionSeconds
      : Math.max(0, (snapshot.context.expiresAt - now()) / 1000) + deps.retentionSeconds;

  /** Saves a brand-new record (rev 1) and runs its effects; false if one already exists. */
  async function saveFirst(
    matchId: number,
    snapshot: ProposalSnapshot,
    actions: NamedActions,
  ): Promise<boolean> {
    const effects = toEffects(1, actions);
    // Registered before the save: a crash right after it still leaves the effects findable.
    const persisted = proposalMachine.getPersistedSnapshot(snapshot);
    const { result, token } = await store.indexAndSave(
      matchId,
      null,
      PROPOSAL_MACHINE_VERSION,
      persisted,
      effects,
      ttlOf(snapshot),
    );
    if (result !== 'saved') return false;
    deps.inspector?.actor(matchId, snapshot);
    await outbox.run(matchId, effects, token);
    return true;
  }

  /**
   * Recreates a missing record from PostgreSQL. Returns the answer to `event` when the match
   * is already decided there (nothing to rebuild), `rebuilt` or `raced` (another caller
   * rebuilt it first) when the caller should reload.
   */
  async function rebuild(
    matchId: number,
    event?: ProposalEvent,
  ): Promise<ApplyResult | 'rebuilt' | 'raced'> {
    const durable = await deps.loadDurable(matchId);
    if (!durable) throw new AppError('not_found', `match ${matchId} does not exist`);
    const userId = event && userOf(event);
    if (userId !== undefined && !isParticipant(durable.context, userId)) {
      throw new AppError('forbidden', 'this proposal is not yours');
    }
    if (durable.status !== 'proposed') {
      return { status: statusOfMatch(durable.status), changed: false };
    }
    const { snapshot, actions } = replayDurable(durable.context);
    if (!(await saveFirst(matchId, snapshot, actions))) return 'raced';
    log.warn({ matchId, state: snapshot.value }, 'proposal snapshot rebuilt from PostgreSQL');
    return 'rebuilt';
  }

  /**
   * The snapshot of a record in the current machine's terms, or null after ending a record
   * that cannot be used (corrupt, or an old version with no migration): it is deleted, if
   * still unchanged, and the caller's next attempt rebuilds it from PostgreSQL.
   */
  async function readable(
    matchId: number,
    record: ProposalRecord,
  ): Promise<ProposalSnapshot | null> {
    if (record.machineVersion > PROPOSAL_MACHINE_VERSION) {
      // Saved by a newer release during a rolling deploy: leave it to the workers that
      // understand it rather than destroy its state. Timers and callers retry.
      throw new AppError('unavailable', `proposal ${matchId} belongs to a newer release`);
    }
    const current =
      record.machineVersion === PROPOSAL_MACHINE_VERSION
        ? record
        : migrateRecord(record, log, matchId);
    const snapshot = current && restoreSnapshot(current.snapshot, matchId);
    if (snapshot) return snapshot;
    log.warn(
      { matchId, version: record.machineVersion, rev: record.rev },
      'unusable proposal snapshot ended; rebuilding from PostgreSQL',
    );
    await store.remove(matchId, record.rev);
    return null;
  }

  return { ttlOf, saveFirst, rebuild, readable };
}

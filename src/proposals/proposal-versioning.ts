import { PROPOSAL_MACHINE_VERSION } from '../../machines/proposal.machine.js';
import type { Logger } from '../logger.js';
import type { ProposalRecord } from './proposal-store.js';

/**
 * Snapshot migrations, keyed by the version they upgrade from. Each returns the snapshot in
 * the next version's shape. Version 1 is the first, so there are none yet; when the machine
 * changes shape, bump PROPOSAL_MACHINE_VERSION and add `n: (snapshot) => ...` here, plus a
 * golden file of the old version under test/fixtures/proposal-snapshots.
 */
export const SNAPSHOT_MIGRATIONS: Readonly<Record<number, (snapshot: unknown) => unknown>> = {};

/**
 * Brings a record to the current machine version, or returns null when it cannot: the caller
 * then ends the old snapshot cleanly by rebuilding the proposal from PostgreSQL. Never throws
 * for a bad snapshot, so an old record cannot crash a worker.
 */
export function migrateRecord(
  record: ProposalRecord,
  log: Logger,
  matchId: number,
  migrations: Readonly<Record<number, (snapshot: unknown) => unknown>> = SNAPSHOT_MIGRATIONS,
  target: number = PROPOSAL_MACHINE_VERSION,
): ProposalRecord | null {
  let { snapshot } = record;
  let version = record.machineVersion;
  try {
    while (version < target) {
      const step = migrations[version];
      if (!step) break;
      snapshot = step(snapshot);
      version += 1;
    }
  } catch (error) {
    log.warn({ err: error, matchId, from: record.machineVersion }, 'snapshot migration failed');
    return null;
  }
  if (version !== target) {
    log.warn({ matchId, from: record.machineVersion, to: target }, 'no migration for snapshot');
    return null;
  }
  return { ...record, machineVersion: version, snapshot };
}

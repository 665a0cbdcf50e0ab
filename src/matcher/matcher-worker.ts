import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/client.js';
import type { DatabasePool } from 'slonik';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { MATCHER_GROUP, type RedisKeys } from '../redis/keys.js';
import type { ProposalRuntime } from '../proposals/proposal-runtime.js';
import {
  processSearch,
  secondChance,
  UserStillEngagedError,
  type ClaimOptions,
  type SearchOutcome,
} from './claim-match.js';
import { processBatch, type FirstPass } from './claim-batch.js';
import { toFields, type StreamAdmin, type StreamEntry } from '../streams/stream-admin.js';

export interface MatcherWorkerDeps {
  /** A connection of its own: XREADGROUP BLOCK holds it. */
  blockingRedis: RedisClient;
  keys: RedisKeys;
  admin: StreamAdmin;
  db: DatabasePool;
  runtime: ProposalRuntime;
  metrics: Metrics;
  log: Logger;
  consumer: string;
  batchSize: number;
  /** Entries of one batch handled at once; each holds a database connection. */
  concurrency: number;
  /** Database calls (and commits) the first pass of a batch is split into, run at once. */
  batchCalls: number;
  blockMs: number;
  maxRequeues: number;
  claim: ClaimOptions;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown for an entry that can never succeed; it goes straight to match.dead. */
export class PoisonEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEntryError';
  }
}

/** What a claim decided, carried out: a new proposal's actor, or one a crash left unspawned. */
async function actOn(deps: MatcherWorkerDeps, outcome: SearchOutcome): Promise<void> {
  const { metrics } = deps;
  if (outcome.kind === 'matched') {
    const { match } = outcome;
    const at = Date.now();
    for (const requestedAt of match.firstProposalOf) {
      metrics.timeToProposal.observe(Math.max(0, at - requestedAt));
    }
    await deps.runtime.create({
      matchId: match.matchId,
      userA: match.userA,
      userB: match.userB,
      requeuesA: match.requeuesA,
      requeuesB: match.requeuesB,
      maxRequeues: deps.maxRequeues,
      expiresAt: match.expiresAt,
    });
  } else if (outcome.kind === 'skipped' && outcome.matchId !== undefined) {
    // Redelivered after a crash between the claim and the spawn: spawn it now. (Counted
    // here: the proposal was claimed but never handed to the outbound path.)
    if (await deps.runtime.ensure(outcome.matchId)) metrics.proposalsSent.inc();
  }
}

/** The request id of an entry, or null for a trimmed one; throws for a malformed one. */
function requestOf(entry: StreamEntry): string | null {
  // A pending entry that was trimmed away comes back with no fields: nothing to do.
  if (Object.keys(entry.fields).length === 0) return null;
  const requestId = entry.fields.request_id ?? '';
  if (!UUID.test(requestId)) throw new PoisonEntryError('request_id is not a uuid');
  return requestId;
}

/** Handles one entry on its own; resolves when it may be acknowledged. */
async function handleEntry(deps: MatcherWorkerDeps, entry: StreamEntry): Promise<void> {
  const requestId = requestOf(entry);
  if (requestId === null) return;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await actOn(
        deps,
        await processSearch(deps.db, requestId, deps.claim, { tz: entry.fields.tz }),
      );
      return;
    } catch (error) {
      // The previous proposal is being closed by its effects right now; that takes
      // milliseconds, so wait briefly rather than leave the entry to the janitor.
      if (error instanceof UserStillEngagedError && attempt < 5) {
        await sleep(50 * attempt);
        continue;
      }
      throw error;
    }
  }
}

/** Finishes an entry after the batch's first pass; resolves when it may be acknowledged. */
async function finishEntry(
  deps: MatcherWorkerDeps,
  entry: StreamEntry,
  first: FirstPass | undefined,
): Promise<void> {
  if (!first || first.kind === 'alone') return handleEntry(deps, entry);
  if (first.kind !== 'waiting') return actOn(deps, first);
  return actOn(deps, await secondChance(deps.db, first.seeker, deps.claim));
}

/**
 * The matcher role: consumes match.find in the consumer group `matchers`. On start it
 * re-reads its own pending entries (id 0), then new ones (`>`), in batches.
 */
export function createMatcherWorker(deps: MatcherWorkerDeps) {
  const { log, metrics } = deps;
  let running = false;
  let loop: Promise<void> | undefined;

  // Entries being handled right now. The janitor may reclaim an entry of our own that is
  // slow (idle past the claim time); handling it twice at once would be wasted work.
  const inFlight = new Set<string>();

  /**
   * The first pass of every request in the batch in one database call and one commit
   * (processBatch); then, entry by entry with `concurrency` lanes, the second chance of those
   * that joined the pool and the proposals of those matched. An entry the first pass could
   * not settle is handled on its own as before.
   */
  async function firstPass(entries: StreamEntry[]): Promise<Map<string, FirstPass>> {
    const requests: { entry: StreamEntry; searchId: string }[] = [];
    for (const entry of entries) {
      try {
        const searchId = requestOf(entry);
        if (searchId !== null) requests.push({ entry, searchId });
      } catch {
        // A malformed entry: its own handling below dead-letters it.
      }
    }
    const result = new Map<string, FirstPass>();
    if (requests.length < 2) return result;
    // A few calls at once: one would hold a connection (and the batch's locks) while the
    // others idle; one per entry would take a commit each. Chunks of one batch may miss each
    // other as two matchers may, which the second chance covers.
    const size = Math.ceil(requests.length / Math.max(1, deps.batchCalls));
    const chunks: (typeof requests)[] = [];
    for (let i = 0; i < requests.length; i += size) chunks.push(requests.slice(i, i + size));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const passes = await processBatch(
            deps.db,
            chunk.map(({ entry, searchId }) => ({ searchId, tz: entry.fields.tz })),
            deps.claim,
          );
          passes.forEach((pass, i) => result.set(chunk[i]!.entry.id, pass));
        } catch (error) {
          // Nothing of this call was committed: its entries are handled one by one instead.
          log.warn({ err: error }, 'match batch failed; handling its entries one by one');
        }
      }),
    );
    return result;
  }

  async function handleBatch(batch: StreamEntry[]): Promise<void> {
    const entries = batch.filter((entry) => !inFlight.has(entry.id));
    for (const entry of entries) inFlight.add(entry.id);
    const acked: string[] = [];
    let next = 0;
    try {
      const passes = await firstPass(entries);
      const lane = async () => {
        while (next < entries.length) {
          const entry = entries[next++]!;
          try {
            await finishEntry(deps, entry, passes.get(entry.id));
            acked.push(entry.id);
          } catch (error) {
            if (error instanceof PoisonEntryError) {
              if (await deps.admin.deadLetter(entry.id, error.message, 1)) metrics.dead.inc();
              continue;
            }
            // Left pending: the janitor reclaims it after it idles, and dead-letters it after
            // too many deliveries.
            log.error({ err: error, entryId: entry.id }, 'match request failed; will be retried');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.concurrency, entries.length) }, lane));
      await deps.admin.ack(acked);
    } finally {
      for (const entry of entries) inFlight.delete(entry.id);
    }
  }

  async function read(id: string): Promise<StreamEntry[]> {
    const result = (await deps.blockingRedis.xreadgroup(
      'GROUP',
      MATCHER_GROUP,
      deps.consumer,
      'COUNT',
      deps.batchSize,
      'BLOCK',
      deps.blockMs,
      'STREAMS',
      deps.keys.matchFind,
      id,
    )) as [string, [string, string[]][]][] | null;
    const entries = result?.[0]?.[1] ?? [];
    return entries.map(([entryId, flat]) => ({ id: entryId, fields: toFields(flat ?? []) }));
  }

  async function run(): Promise<void> {
    let cursor = '0'; // our own pending entries first, from a previous life of this consumer
    while (running) {
      try {
        const entries = await read(cursor);
        if (cursor === '0' && entries.length === 0) {
          cursor = '>';
          continue;
        }
        if (entries.length) await handleBatch(entries);
        // Pending entries come back in id order; continue after the last one we saw.
        if (cursor !== '>') cursor = entries.at(-1)?.id ?? '>';
      } catch (error) {
        if (!running) break;
        if (String((error as Error).message).includes('NOGROUP')) {
          // The stream or group vanished (a Redis flush): recreate and carry on.
          await deps.admin.ensureGroup();
          continue;
        }
        log.error({ err: error }, 'matcher read failed');
        await sleep(1_000);
      }
    }
  }

  return {
    handleBatch,
    async start(): Promise<void> {
      await deps.admin.ensureGroup();
      running = true;
      loop = run();
    },
    /** Stops reading; entries already read are finished and acknowledged first. */
    async stop(): Promise<void> {
      running = false;
      await loop;
    },
  };
}

export type MatcherWorker = ReturnType<typeof createMatcherWorker>;

import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import {
  claimed,
  processRow,
  safeOffset,
  type ClaimOptions,
  type SearchHint,
  type SearchOutcome,
  type Seeker,
} from './claim-match.js';

/**
 * What the batch's one call decided for one request. `waiting`: the requester joined the pool
 * and takes the second chance next (after the batch committed, so it sees the other matchers'
 * pool rows). `alone`: handle it on its own with processSearch (its user's previous proposal is
 * still closing, its time zone changed, or it failed).
 */
export type FirstPass =
  | Exclude<SearchOutcome, { kind: 'waiting' }>
  | { kind: 'waiting'; seeker: Seeker & { searchId: string } }
  | { kind: 'alone'; reason: 'engaged' | 'tz' | 'error'; error?: string };

const batchRow = processRow.extend({
  idx: z.number(),
  kind: z.enum([
    'unknown',
    'not_queued',
    'ineligible',
    'engaged',
    'tz',
    'matched',
    'waiting',
    'error',
  ]),
});

function firstPassOf(
  row: z.infer<typeof batchRow>,
  searchId: string,
  offset: number,
  options: ClaimOptions,
): FirstPass {
  switch (row.kind) {
    case 'unknown':
    case 'ineligible':
      return { kind: 'skipped', reason: row.kind };
    case 'not_queued':
      return row.match_id === null
        ? { kind: 'skipped', reason: 'not_queued' }
        : { kind: 'skipped', reason: 'not_queued', matchId: row.match_id };
    case 'matched':
      options.onSelect?.(row.select_ms ?? 0);
      return { kind: 'matched', match: claimed(row, row.user_id!, row.partner_id!) };
    case 'waiting':
      options.onSelect?.(row.select_ms ?? 0);
      return {
        kind: 'waiting',
        seeker: {
          userId: row.user_id!,
          searchId,
          topicIds: row.topic_ids ?? [],
          utcOffsetMin: offset,
        },
      };
    case 'error':
      return { kind: 'alone', reason: 'error', error: row.tz ?? '' };
    default:
      return { kind: 'alone', reason: row.kind };
  }
}

/**
 * The first pass over a batch of match.find requests in one call and one commit
 * (match_process_batch in src/db/functions): each request claims a partner, joins the pool or
 * is skipped exactly as processSearch's first call would decide, in the batch's order.
 * Resolves with one FirstPass per request, in the same order.
 */
export async function processBatch(
  db: DatabasePool,
  requests: readonly ({ searchId: string } & SearchHint)[],
  options: ClaimOptions,
): Promise<FirstPass[]> {
  if (requests.length === 0) return [];
  const tzs = requests.map((request) => request.tz ?? null);
  const offsets = tzs.map((tz) => (tz === null ? 0 : safeOffset(tz)));
  const rows = await db.any(sql.type(batchRow)`
    SELECT idx, kind, match_id, user_id, partner_id, requeues_a, requeues_b, first_requested_ms,
           topic_ids, tz, select_ms, expires_ms
    FROM match_process_batch(${sql.array(
      requests.map((request) => request.searchId),
      'uuid',
    )}, ${sql.array(tzs, 'text')}, ${sql.array(offsets, 'int4')},
                             ${options.wakingMinutes}, ${options.proposalTtlMs})`);
  const byIndex = new Map(rows.map((row) => [row.idx, row]));
  return requests.map((request, i) => {
    const row = byIndex.get(i + 1);
    if (!row) return { kind: 'alone', reason: 'error', error: 'no answer from the batch' };
    return firstPassOf(row, request.searchId, offsets[i]!, options);
  });
}

import { sql } from 'slonik';
import { z } from 'zod';
import type { App } from '../src/app.js';
import { OUTBOUND_PURPOSES } from '../src/outbound/outbound-message.js';
import type { CrowdFigures } from './crowd-stats.js';
import type { Crowd } from './crowd.js';
import { partnersWaiting } from './partner-waiting.js';

export interface SandboxFigures extends CrowdFigures {
  proposals: number;
  open: number;
  confirmed: number;
  declined: number;
  expired: number;
  /** Confirmed share of decided proposals (the sprint's accept_rate), over the whole run. */
  acceptRate: number | undefined;
  activeChats: number;
  waiting: number;
  meanRating: number | undefined;
  /** Contact exchange: presses, withdrawn, chats whose contacts were revealed. */
  contacts: { presses: number; withdrawn: number; revealed: number };
  /** Chat again: wishes, pairs saved, /again invitations made and of those accepted. */
  again: { wishes: number; pairs: number; invitations: number; accepted: number };
  /** Sends and edits Telegram accepted, by purpose (telegram_messages_total). */
  messagesByPurpose: Record<string, number>;
}

/**
 * What one /find's lifecycle sends: everything but relayed chat content, command replies, the
 * contact exchange, the end of a /pause and moderation.
 */
export const LIFECYCLE_PURPOSES = OUTBOUND_PURPOSES.filter(
  (purpose) => !['relay', 'reply', 'contact', 'pause_ended', 'moderation'].includes(purpose),
);

/** Sends and edits of the /find lifecycle per /find: all, and by purpose. */
export function callsPerFind(figures: SandboxFigures): {
  total: number | undefined;
  byPurpose: [string, number][];
} {
  if (!figures.finds) return { total: undefined, byPurpose: [] };
  const byPurpose = LIFECYCLE_PURPOSES.map(
    (purpose) =>
      [purpose, (figures.messagesByPurpose[purpose] ?? 0) / figures.finds] as [string, number],
  );
  return { total: byPurpose.reduce((sum, [, n]) => sum + n, 0), byPurpose };
}

/** A counter's values by one label, as they stand now. */
async function countsBy(
  counter: { get(): Promise<{ values: { labels: object; value: number }[] }> },
  label: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const value of (await counter.get()).values) {
    counts[String((value.labels as Record<string, unknown>)[label])] = value.value;
  }
  return counts;
}

export const messagesByPurpose = (app: App) =>
  countsBy(app.deps.metrics.telegramMessages, 'purpose');

/** The sender's runs by outcome: each took one slot of its rate limiter (outbound-sender.ts). */
export const senderRunsByOutcome = (app: App) => countsBy(app.deps.metrics.outboundRuns, 'outcome');

const counts = z.object({
  proposals: z.number(),
  open: z.number(),
  confirmed: z.number(),
  declined: z.number(),
  expired: z.number(),
  active_chats: z.number(),
  waiting: z.number(),
  mean_rating: z.number().nullable(),
  contact_presses: z.number(),
  contact_withdrawn: z.number(),
  contact_revealed: z.number(),
  again_wishes: z.number(),
  again_pairs: z.number(),
  again_invitations: z.number(),
  again_accepted: z.number(),
});

/** The crowd's view (time to proposal as users saw it) plus PostgreSQL's (what was decided). */
export async function readSandboxFigures(app: App, crowd: Crowd): Promise<SandboxFigures> {
  const row = await app.deps.db.one(sql.type(counts)`
    SELECT count(*)::int AS proposals,
           (count(*) FILTER (WHERE status = 'proposed'))::int AS open,
           (count(*) FILTER (WHERE status = 'active'))::int AS confirmed,
           (count(*) FILTER (WHERE status = 'declined'))::int AS declined,
           (count(*) FILTER (WHERE status = 'expired'))::int AS expired,
           (SELECT count(*) FROM chat_sessions WHERE ended_at IS NULL)::int AS active_chats,
           (SELECT count(*) FROM waiting_pool)::int AS waiting,
           (SELECT avg(rating)::float8 FROM feedback) AS mean_rating,
           (SELECT coalesce(sum(round), 0) FROM contact_requests)::int AS contact_presses,
           (SELECT count(*) FROM contact_requests WHERE withdrawn_at IS NOT NULL)::int
             AS contact_withdrawn,
           (SELECT count(DISTINCT match_id) FROM contact_requests WHERE revealed_at IS NOT NULL)::int
             AS contact_revealed,
           (SELECT count(*) FROM again_wishes)::int AS again_wishes,
           (SELECT count(*) FROM again_pairs)::int AS again_pairs,
           (count(*) FILTER (WHERE kind = 'again'))::int AS again_invitations,
           (count(*) FILTER (WHERE kind = 'again' AND status = 'active'))::int
             AS again_accepted
    FROM matches`);
  const decided = row.confirmed + row.declined + row.expired;
  await crowd.stats.judgeWaiting((presses) => partnersWaiting(app.deps.db, presses));
  return {
    ...crowd.stats.figures(),
    proposals: row.proposals,
    open: row.open,
    confirmed: row.confirmed,
    declined: row.declined,
    expired: row.expired,
    acceptRate: decided ? row.confirmed / decided : undefined,
    activeChats: row.active_chats,
    waiting: row.waiting,
    meanRating: row.mean_rating ?? undefined,
    contacts: {
      presses: row.contact_presses,
      withdrawn: row.contact_withdrawn,
      revealed: row.contact_revealed,
    },
    again: {
      wishes: row.again_wishes,
      pairs: row.again_pairs,
      invitations: row.again_invitations,
      accepted: row.again_accepted,
    },
    messagesByPurpose: await messagesByPurpose(app),
  };
}

export const percent = (value: number | undefined) =>
  value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
export const millis = (value: number | undefined) =>
  value === undefined
    ? '—'
    : value < 1000
      ? `${Math.round(value)} ms`
      : `${(value / 1000).toFixed(1)} s`;

/** `[mm:ss]` since the sandbox started. */
export function clock(elapsedSeconds: number): string {
  const minutes = String(Math.floor(elapsedSeconds / 60)).padStart(2, '0');
  return `[${minutes}:${String(Math.floor(elapsedSeconds % 60)).padStart(2, '0')}]`;
}

/** One line for the console, refreshed every second; onboarding shows until it is done. */
export function progressLine(
  elapsedSeconds: number,
  figures: SandboxFigures,
  people: number,
): string {
  const onboarding =
    figures.onboarded < people ? `onboarding ${figures.onboarded}/${people} | ` : '';
  return (
    `${clock(elapsedSeconds)} ${onboarding}finds ${figures.finds} | proposals ${figures.proposals} ` +
    `(✓${figures.confirmed} ✗${figures.declined} ⌛${figures.expired} …${figures.open}) | ` +
    `chats ${figures.activeChats} | waiting ${figures.waiting} | accept ${percent(figures.acceptRate)} | ` +
    `≤60s ${percent(figures.shareWithin60s)} | p50 ${millis(figures.timeToProposalMs.p50)}`
  );
}

/** A spread of finds as counts, e.g. "290 / 301 / 305 / 310; 2". */
function spread({ within, later }: SandboxFigures['compatibleSpread']): string {
  return `${within.map(([, count]) => count).join(' / ')}; ${later}`;
}

/** The sprint's acceptance figures against their targets, as a Markdown table. */
export function acceptanceTable(figures: SandboxFigures): string {
  const calls = callsPerFind(figures);
  const rows: [string, string, string, boolean | undefined][] = [
    [
      '/find with a proposal within 60 s',
      '≥ 70% (sprint), ≥ 95% (ours)',
      percent(figures.shareWithin60s),
      figures.shareWithin60s === undefined ? undefined : figures.shareWithin60s >= 0.95,
    ],
    [
      '… of those with a compatible partner waiting (the service could propose one), within 1 s',
      '≥ 99%',
      `${percent(figures.shareWaitingWithin1s)} of ${figures.waitingJudged}`,
      figures.shareWaitingWithin1s === undefined ? undefined : figures.shareWaitingWithin1s >= 0.99,
    ],
    [
      '… of those, seen within 1 s / 2 s / 5 s / 60 s; later or never',
      '—',
      spread(figures.waitingSpread),
      undefined,
    ],
    [
      "… the crowd's generous view (someone compatible searching, cooldowns and partners in a proposal included), within 1 s",
      '—',
      `${percent(figures.shareCompatibleWithin1s)} of ${figures.compatibleJudged}`,
      undefined,
    ],
    [
      '… of those, seen within 1 s / 2 s / 5 s / 60 s; later or never',
      '—',
      spread(figures.compatibleSpread),
      undefined,
    ],
    [
      'accept_rate (confirmed / decided)',
      '≥ 30%',
      percent(figures.acceptRate),
      figures.acceptRate === undefined ? undefined : figures.acceptRate >= 0.3,
    ],
    [
      'time to proposal p50 / p95 / p99',
      '—',
      `${millis(figures.timeToProposalMs.p50)} / ${millis(figures.timeToProposalMs.p95)} / ${millis(figures.timeToProposalMs.p99)}`,
      undefined,
    ],
    [
      'proposals (confirmed / declined / expired / open)',
      '—',
      `${figures.proposals} (${figures.confirmed} / ${figures.declined} / ${figures.expired} / ${figures.open})`,
      undefined,
    ],
    ['/find presses (judged for 60 s)', '—', `${figures.finds} (${figures.judged})`, undefined],
    [
      'Bot API sends and edits per /find (relayed chat content and command replies aside)',
      '≤ 6',
      calls.total === undefined ? '—' : calls.total.toFixed(2),
      calls.total === undefined ? undefined : calls.total <= 6,
    ],
    [
      '… by purpose',
      '—',
      calls.byPurpose.map(([purpose, n]) => `${purpose} ${n.toFixed(2)}`).join(', ') || '—',
      undefined,
    ],
    [
      'relayed chat messages per /find',
      '—',
      figures.finds ? ((figures.messagesByPurpose.relay ?? 0) / figures.finds).toFixed(2) : '—',
      undefined,
    ],
    [
      'chats started, mean rating',
      '—',
      `${figures.chatsStarted}, ${figures.meanRating?.toFixed(2) ?? '—'}`,
      undefined,
    ],
    [
      '/pause taken, ended early, end notices',
      '—',
      `${figures.pauses}, ${figures.resumedEarly}, ${figures.messagesByPurpose.pause_ended ?? 0}`,
      undefined,
    ],
    [
      'contact exchange: presses, withdrawn, chats revealed',
      '—',
      `${figures.contacts.presses}, ${figures.contacts.withdrawn}, ${figures.contacts.revealed}`,
      undefined,
    ],
    [
      'chat again: wishes, pairs saved, /again invitations, accepted',
      '—',
      `${figures.again.wishes}, ${figures.again.pairs}, ${figures.again.invitations}, ${figures.again.accepted}`,
      undefined,
    ],
  ];
  const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : 'NO');
  return [
    '| Figure | Target | Measured | Met |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ([name, target, value, met]) => `| ${name} | ${target} | ${value} | ${mark(met)} |`,
    ),
  ].join('\n');
}

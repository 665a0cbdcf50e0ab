import type pg from 'pg';
import type { ApiClient } from './http-client.js';
import type { BenchUser } from './population.js';
import { createMatchPoller } from './match-poller.js';
import { createUserStates, UserState } from './user-states.js';

/** How people answer a proposal; shares add up to 1. */
export interface Reactions {
  /** Both accept: a chat starts and ends by the idle timeout. */
  accept: number;
  /** One skips: both searches go back to the queue (the product's behaviour). */
  decline: number;
  /** Nobody answers: the proposal expires and both searches end. */
  ignore: number;
  /** One accepts, the other does not answer: on expiry the acceptor is requeued. */
  half: number;
}

export interface LoadOptions {
  rate: number;
  durationMs: number;
  users: readonly BenchUser[];
  api: ApiClient;
  db: pg.Pool;
  random: () => number;
  reactions: Reactions;
  thinkMs: [number, number];
  proposalTtlMs: number;
  chatIdleMs: number;
  /** A search with no proposal for this long is cancelled, as a person would give up. */
  patienceMs: number;
  /** Extra time after a known end (expiry, chat idle) before the person searches again. */
  slackMs: number;
  /** Every n-th /find first asks PostgreSQL whether a compatible partner is waiting. */
  probeEvery: number;
  /** Users (indexes) the generator must not pick. */
  exclude?: ReadonlySet<number>;
}

export interface FindRecord {
  user: number;
  sentAt: number;
  ackAt: number;
  status: number;
  outcome: string;
  /** Set for probed requests: a compatible partner was in the waiting pool just before. */
  partnerWaiting?: boolean;
}

export interface LoadResult {
  startedAt: number;
  endedAt: number;
  finds: FindRecord[];
  calls: Record<string, number>;
  /** Per second of the run: /find sent and accepted. */
  timeline: { second: number; sent: number; accepted: number; errors: number }[];
  maxInFlight: number;
  /** Finds the schedule wanted but could not send (nobody idle, or the in-flight cap). */
  unsent: number;
}

// An independent statement of the matching rule (sprint style, not the matcher's SQL):
// someone else waiting who shares >= 2 topics and is not in a cooldown with the requester.
const PROBE_SQL = `
  SELECT EXISTS (
    SELECT 1 FROM waiting_pool w
    WHERE w.user_id <> $1
      AND cardinality(ARRAY(SELECT unnest(w.topic_ids) INTERSECT SELECT unnest($2::int[]))) >= 2
      AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                      WHERE ((rc.user_id = $1 AND rc.other_id = w.user_id)
                             OR (rc.user_id = w.user_id AND rc.other_id = $1))
                        AND rc.until > now())
      AND NOT EXISTS (SELECT 1 FROM blocks b
                      WHERE (b.user_id = $1 AND b.blocked_id = w.user_id)
                         OR (b.user_id = w.user_id AND b.blocked_id = $1))) AS waiting`;

const MAX_IN_FLIGHT = 2_000;

/**
 * An open-loop load: /find at a fixed rate from idle people, whatever the service's
 * latency, and each person reacts to their proposals as `reactions` says. Proposals are
 * seen by polling `matches` in PostgreSQL, which is what a client would learn from the
 * message the bot sends.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { api, random, users } = options;
  const book = createUserStates(users.length, random);
  for (const user of users)
    if (!options.exclude?.has(user.index)) book.set(user.index, UserState.Idle);
  const finds: FindRecord[] = [];
  const calls: Record<string, number> = {};
  const count = (key: string) => (calls[key] = (calls[key] ?? 0) + 1);
  const timeline = new Map<number, { sent: number; accepted: number; errors: number }>();
  const startedAt = Date.now();
  const second = (at: number) => {
    const key = Math.floor((at - startedAt) / 1000);
    let entry = timeline.get(key);
    if (!entry) timeline.set(key, (entry = { sent: 0, accepted: 0, errors: 0 }));
    return entry;
  };
  let inFlight = 0;
  let maxInFlight = 0;
  let unsent = 0;
  let sent = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const think = () => options.thinkMs[0] + random() * (options.thinkMs[1] - options.thinkMs[0]);

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return promise.finally(() => (inFlight -= 1));
  };
  const rest = (user: number, until: number) => {
    book.set(user, UserState.Resting);
    book.schedule(until, user, 'wake');
  };
  const searching = (user: number) => {
    book.set(user, UserState.Searching);
    book.schedule(Date.now() + options.patienceMs, user, 'give-up');
  };

  async function find(user: number, probe: boolean): Promise<void> {
    const record: FindRecord = { user, sentAt: 0, ackAt: 0, status: 0, outcome: '' };
    finds.push(record);
    if (probe) {
      const ranks = users[user]!.topicRanks;
      const result = await options.db.query<{ waiting: boolean }>(PROBE_SQL, [user + 1, ranks]);
      record.partnerWaiting = result.rows[0]?.waiting ?? false;
    }
    record.sentAt = Date.now();
    second(record.sentAt).sent += 1;
    try {
      const response = await api.post('/match/find', { user_id: user + 1 });
      record.ackAt = Date.now();
      record.status = response.status;
      const body = response.body as { already?: boolean; error?: { code?: string } };
      record.outcome =
        response.status === 200
          ? body.already
            ? 'already'
            : 'queued'
          : (body.error?.code ?? 'http');
    } catch (error) {
      record.ackAt = Date.now();
      record.outcome = `network: ${(error as Error).message}`;
    }
    if (record.outcome === 'queued' || record.outcome === 'already') {
      second(record.ackAt).accepted += 1;
      if (book.state[user] === UserState.Searching)
        book.schedule(Date.now() + options.patienceMs, user, 'give-up');
    } else {
      second(record.ackAt).errors += 1;
      if (book.state[user] === UserState.Searching) rest(user, Date.now() + 2_000);
    }
  }

  async function confirm(matchId: number, user: number, action: 'accept' | 'decline') {
    const response = await api
      .post('/match/confirm', { match_id: matchId, user_id: user + 1, action })
      .catch(() => ({ status: 0, body: null }));
    count(`confirm_${action}_${response.status}`);
  }

  async function giveUp(user: number) {
    const response = await api
      .post('/match/cancel', { user_id: user + 1 })
      .catch(() => ({ status: 0, body: null }));
    count(`cancel_${response.status}`);
    // 409: a proposal is being made right now; the match poll will take the user over.
    if (response.status !== 409 && book.state[user] === UserState.Searching)
      rest(user, Date.now() + 1_000);
  }

  function react(matchId: number, a: number, b: number, expiresAt: number) {
    const now = Date.now();
    for (const user of [a, b]) book.set(user, UserState.Proposed);
    const roll = random();
    const { accept, decline, ignore } = options.reactions;
    const [first, second] = random() < 0.5 ? [a, b] : [b, a];
    if (roll < accept) {
      count('react_accept');
      const [t1, t2] = [think(), think()];
      later(() => void track(confirm(matchId, first, 'accept')), t1);
      later(() => void track(confirm(matchId, second, 'accept')), t2);
      const free = now + Math.max(t1, t2) + options.chatIdleMs + options.slackMs;
      for (const user of [a, b]) rest(user, free);
    } else if (roll < accept + decline) {
      count('react_decline');
      later(() => {
        void track(confirm(matchId, first, 'decline')).then(() => {
          // The product puts both back in the queue; both keep waiting for another proposal.
          for (const user of [a, b]) if (book.state[user] === UserState.Proposed) searching(user);
        });
      }, think());
    } else if (roll < accept + decline + ignore) {
      count('react_ignore');
      for (const user of [a, b]) rest(user, expiresAt + options.slackMs);
    } else {
      count('react_half');
      later(() => void track(confirm(matchId, first, 'accept')), think());
      rest(second, expiresAt + options.slackMs);
      // Requeued on expiry (or ended at the requeue limit, which giving up then reveals).
      book.set(first, UserState.Resting);
      book.schedule(expiresAt + options.slackMs, first, 'requeued');
    }
  }

  const pollMatches = await createMatchPoller(options.db);
  async function reactToNewMatches(): Promise<void> {
    for (const match of await pollMatches()) {
      const [a, b] = [match.userA - 1, match.userB - 1];
      if (options.exclude?.has(a) || options.exclude?.has(b)) continue;
      react(match.id, a, b, match.expiresMs);
    }
  }

  const endAt = startedAt + options.durationMs;
  let polling = false;
  while (Date.now() < endAt) {
    const now = Date.now();
    const wanted = Math.floor(((now - startedAt) / 1000) * options.rate);
    while (sent < wanted) {
      sent += 1;
      const user = inFlight < MAX_IN_FLIGHT ? book.takeIdle() : -1;
      if (user < 0) {
        unsent += 1;
        continue;
      }
      book.set(user, UserState.Searching);
      void track(find(user, sent % options.probeEvery === 0));
    }
    for (const [user, action] of book.due(now)) {
      if (action === 'wake') book.set(user, UserState.Idle);
      else if (action === 'requeued') searching(user);
      else if (action === 'give-up') void track(giveUp(user));
    }
    if (!polling) {
      polling = true;
      void reactToNewMatches()
        .catch(() => count('poll_error'))
        .finally(() => (polling = false));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  book.clearSchedule();
  for (const timer of timers) clearTimeout(timer);
  const endedAt = Date.now();
  while (inFlight > 0 || polling) await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    startedAt,
    endedAt,
    finds,
    calls,
    timeline: [...timeline.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([sec, entry]) => ({ second: sec, ...entry })),
    maxInFlight,
    unsent,
  };
}

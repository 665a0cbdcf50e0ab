import { strict as assert } from 'node:assert';
import type { Job } from 'bullmq';
import type { Message } from 'grammy/types';
import { sql } from 'slonik';
import { z } from 'zod';
import { __unsafe_getAllOwnEventDescriptors, type SnapshotFrom } from 'xstate';
import { createTestModel } from '@xstate/graph';
import {
  expiryOutcome,
  proposalMachine,
  type ProposalContext,
  type ProposalEvent,
  type SearchSettlement,
} from '../../machines/proposal.machine.js';
import { ru } from '../../src/bot/i18n/ru.js';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import {
  createProposalTimerProcessor,
  type ProposalTimerData,
} from '../../src/proposals/proposal-timers.js';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app-harness.js';
import { callbackData, expectButton, expectMessage, onboard } from '../helpers/telegram-users.js';
import { durableState, searchesOf, streamEntriesOf } from './proposal-support.js';
import { eventually } from '../helpers/eventually.js';
import { outboundBacklog } from '../helpers/outbound-backlog.js';

/**
 * Model-based tests: the paths come from @xstate/graph over the machine itself, and each is
 * driven through the whole real service (bot, matcher, runtime, effects, outbound queue)
 * against the Bot API emulator. After every step the Redis snapshot, PostgreSQL and what each
 * user sees are checked against expectations derived from the state reached. A new state or
 * event yields new paths here; one with no expectations or no driver fails loudly.
 */

const M = { matchId: 1, userA: 1, userB: 2, stranger: 3, expiresAt: 1_000 };
const MAX_REQUEUES = 2;
type ModelSnapshot = SnapshotFrom<typeof proposalMachine>;

/** Every event type the state handles, by A, by B, by a stranger, and at the deadline. */
const PAYLOADS = [
  { userId: M.userA },
  { userId: M.userB },
  { userId: M.stranger },
  { at: M.expiresAt },
];

function modelPaths(maxRequeues: number) {
  const { matchId, userA, userB, expiresAt } = M;
  const input = { matchId, userA, userB, expiresAt, requeuesA: 0, requeuesB: 0, maxRequeues };
  const model = createTestModel(proposalMachine, {
    events: (state: ModelSnapshot) => {
      const types = __unsafe_getAllOwnEventDescriptors(state) as string[];
      return types.flatMap((type) =>
        PAYLOADS.map((payload) => ({ type, ...payload }) as unknown as ProposalEvent),
      );
    },
  });
  const all = [...model.getShortestPaths({ input }), ...model.getSimplePaths({ input })];
  // The two generators overlap; one test per distinct sequence of events.
  const unique = new Map(all.map((path) => [JSON.stringify(path.steps.map((s) => s.event)), path]));
  return [...unique.values()];
}

interface World {
  t: TestApp;
  matchId: number;
  expiresAt: number;
  users: Record<'A' | 'B', { user: EmulatedUser; id: number; proposal: Message; baseline: number }>;
  searches: Record<'A' | 'B', string>;
}

type Side = 'A' | 'B';
const sideOf = (userId: number): Side => (userId === M.userA ? 'A' : 'B');
type Matcher = (text: string) => boolean;
/** The proposal card, still open. */
const proposalText: Matcher = (text) =>
  text.startsWith('Нашёлся собеседник') && text.endsWith('Начать разговор?');
/** The proposal card, closed with `outcome` below what it was. */
const closedCard =
  (outcome: string): Matcher =>
  (text) =>
    text.startsWith('Нашёлся собеседник') && text.endsWith(`\n\n${outcome}`);

interface Expectation {
  status: string;
  chats: number;
  engaged: number;
  cooldowns: number;
  /** What the user's search looks like, and how many match.find entries it has had. */
  search(side: Side): {
    state: string[];
    requeues: number;
    endReason: string | null;
    finds: number;
  };
  /**
   * The messages the user has after pressing /find, in any order, as they read now (edits
   * applied). "Looking for a partner…" is left out: whether it comes depends on how soon the
   * proposal does (SEARCHING_NOTICE_DELAY_MS).
   */
  messages(side: Side): Matcher[];
}

const OUTCOME_TEXT: Record<SearchSettlement, string | undefined> = {
  requeue: undefined, // never an expiry outcome
  requeue_expired: ru.expiredRequeued,
  end_no_answer: ru.expiredNoAnswer,
  end_requeue_limit: ru.expiredLimit,
};

/** Expectations by state name, derived from the model's context and the last event. */
const EXPECT: Record<string, (context: ProposalContext, last: ProposalEvent) => Expectation> = {
  Waiting: () => ({
    status: 'proposed',
    chats: 0,
    engaged: 2,
    cooldowns: 0,
    search: () => ({ state: ['proposed'], requeues: 0, endReason: null, finds: 1 }),
    // Accepting is answered by the button's toast; the card stays as it is.
    messages: () => [proposalText],
  }),
  // The cards stay; one message opens the chat, with the rules in it.
  Confirmed: () => ({
    status: 'active',
    chats: 1,
    engaged: 2,
    cooldowns: 2,
    search: () => ({ state: ['matched'], requeues: 0, endReason: 'matched', finds: 1 }),
    messages: () => [
      proposalText,
      (text) => text.startsWith('Чат открыт!') && text.endsWith(`\n\n${ru.rules}`),
    ],
  }),
  Declined: (context) => ({
    status: 'declined',
    chats: 0,
    engaged: 0,
    cooldowns: 2,
    search: () => ({ state: ['queued', 'waiting'], requeues: 0, endReason: null, finds: 2 }),
    messages: (side) =>
      sideOf(context.declinedBy!) === side
        ? [proposalText] // told by the button's toast
        : [closedCard(ru.partnerSkipped)],
  }),
  Expired: (context) => ({
    status: 'expired',
    chats: 0,
    engaged: 0,
    cooldowns: 0,
    search: (side) => {
      const outcome = expiryOutcome(context, side === 'A' ? M.userA : M.userB);
      return outcome === 'requeue_expired'
        ? { state: ['queued', 'waiting'], requeues: 1, endReason: null, finds: 2 }
        : { state: ['ended'], requeues: 0, endReason: outcome, finds: 1 };
    },
    messages: (side) => [
      closedCard(OUTCOME_TEXT[expiryOutcome(context, side === 'A' ? M.userA : M.userB)]!),
    ],
  }),
};

function expectationFor(state: ModelSnapshot, last: ProposalEvent): Expectation {
  const build = EXPECT[String(state.value)];
  if (!build)
    throw new Error(`no expectations for state ${String(state.value)}: add them to EXPECT`);
  return build(state.context, last);
}

function assertMessages(user: EmulatedUser, baseline: number, expected: Matcher[]) {
  const texts = user
    .botMessages()
    .slice(baseline)
    .map((m) => m.text ?? m.caption ?? '')
    .filter((text) => text !== ru.searching);
  const unmatched = [...expected];
  for (const text of texts) {
    const index = unmatched.findIndex((matches) => matches(text));
    assert.ok(
      index >= 0,
      `unexpected message ${JSON.stringify(text)} among ${JSON.stringify(texts)}`,
    );
    unmatched.splice(index, 1);
  }
  assert.equal(unmatched.length, 0, `missing messages; got ${JSON.stringify(texts)}`);
}

describe('proposal model-based paths through the real service', function () {
  this.timeout(180_000);
  let t: TestApp;
  let stranger: number;
  let pathIndex = 0;

  before(async () => {
    t = await startTestApp();
    assert.equal(t.app.deps.config.MAX_REQUEUES, MAX_REQUEUES, 'the model assumes the default');
    const user = await onboard(t.emulator, { firstName: 'Stranger', topics: [1, 2] });
    stranger = await userIdOf(user);
  });

  const userIdOf = (user: EmulatedUser) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${user.id}`);
  after(() => t?.stop());

  /** Two fresh users with a topic pair no other path uses, matched by the real matcher. */
  async function propose(): Promise<World> {
    pathIndex += 1;
    const topics = [2 * pathIndex - 1, 2 * pathIndex].map((topic) => ((topic - 1) % 32) + 1);
    const first = await onboard(t.emulator, { firstName: `Ann${pathIndex}`, topics });
    const second = await onboard(t.emulator, { firstName: `Bob${pathIndex}`, topics });
    const baselines = [first.botMessages().length, second.botMessages().length];
    await first.sendCommand('find');
    await expectMessage(first, /Ищу вам собеседника/);
    await second.sendCommand('find');
    const proposals = await Promise.all(
      [first, second].map((u) => expectButton(u, /^match:accept:\d+$/, 10_000)),
    );
    const matchId = Number(callbackData(first, proposals[0]!, /^match:accept:/).split(':')[2]);
    const { db } = t.app.deps;
    const ids = [await userIdOf(first), await userIdOf(second)];
    const match = await db.one(sql.type(z.object({ user_a: z.number(), expires_at: z.date() }))`
      SELECT user_a, expires_at FROM matches WHERE id = ${matchId}`);
    const firstIsA = match.user_a === ids[0];
    const entry = (index: number) => ({
      user: [first, second][index]!,
      id: ids[index]!,
      proposal: proposals[index]!,
      baseline: baselines[index]!,
    });
    const users = { A: entry(firstIsA ? 0 : 1), B: entry(firstIsA ? 1 : 0) };
    const rows = await searchesOf(db, matchId);
    const searchOf = (userId: number) => rows.find((row) => row.user_id === userId)!.id;
    return {
      t,
      matchId,
      expiresAt: match.expires_at.getTime(),
      users,
      searches: { A: searchOf(users.A.id), B: searchOf(users.B.id) },
    };
  }

  async function drive(world: World, event: ProposalEvent): Promise<void> {
    if (event.type === 'proposal.expire') {
      // The real timer job handler, its clock at the deadline the model's event names.
      const processor = createProposalTimerProcessor(
        t.app.deps.services.runtime,
        () => world.expiresAt,
      );
      const data = { matchId: world.matchId, expiresAt: world.expiresAt };
      await processor({ data } as Job<ProposalTimerData>);
      return;
    }
    if (event.type === 'proposal.accept' || event.type === 'proposal.decline') {
      const { user, proposal } = world.users[sideOf(event.userId)];
      const action = event.type === 'proposal.accept' ? 'accept' : 'decline';
      const query = await user.pressButton(proposal.message_id, `match:${action}:${world.matchId}`);
      await user.waitForCallbackAnswer(query, 10_000);
      return;
    }
    throw new Error(`no driver for event ${(event as { type: string }).type}: add one to drive()`);
  }

  async function check(world: World, state: ModelSnapshot, last: ProposalEvent, rev: number) {
    const expected = expectationFor(state, last);
    const { db } = t.app.deps;
    const record = await t.app.deps.services.store.load(world.matchId);
    const stored = record?.snapshot as { value: string; context: ProposalContext };
    const real = (userId: number | null) =>
      userId === null ? null : world.users[sideOf(userId)].id;
    assert.equal(stored.value, state.value);
    assert.deepEqual(stored.context, {
      ...state.context,
      matchId: world.matchId,
      userA: world.users.A.id,
      userB: world.users.B.id,
      expiresAt: world.expiresAt,
      declinedBy: real(state.context.declinedBy),
    });
    assert.equal(record?.rev, rev);
    const durable = await durableState(db, world.matchId);
    assert.deepEqual(durable, {
      status: expected.status,
      accepted_a: state.context.acceptedA,
      accepted_b: state.context.acceptedB,
      declined_by: real(state.context.declinedBy),
      chats: expected.chats,
      engaged: expected.engaged,
      cooldowns: expected.cooldowns,
    });
    for (const side of ['A', 'B'] as const) {
      const want = expected.search(side);
      const [search] = (await searchesOf(db, world.matchId)).filter(
        (row) => row.id === world.searches[side],
      );
      assert.ok(want.state.includes(search!.state), `${side}'s search is ${search!.state}`);
      assert.equal(search!.requeue_count, want.requeues);
      assert.equal(search!.end_reason, want.endReason);
      const finds = await streamEntriesOf(t.app.deps.redis, t.app.deps.keys, world.searches[side]);
      assert.equal(finds, want.finds, `${side}'s match.find entries`);
      const { user, baseline } = world.users[side];
      await eventually(() => {
        assertMessages(user, baseline, expected.messages(side));
        return true;
      }, 10_000);
    }
    // A stranger is turned away at every step and changes nothing.
    const response = await fetch(`${t.url}/match/confirm`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ match_id: world.matchId, user_id: stranger, action: 'accept' }),
    });
    assert.equal(response.status, 403);
    assert.equal((await t.app.deps.services.store.load(world.matchId))?.rev, rev);
  }

  const paths = modelPaths(MAX_REQUEUES);
  it('the graph yields paths to every state of the machine', () => {
    const reached = new Set(
      paths.flatMap((path) => path.steps.map((step) => String(step.state.value))),
    );
    assert.deepEqual([...reached].sort(), Object.keys(proposalMachine.root.states).sort());
  });

  for (const path of paths) {
    const events = path.steps
      .slice(1)
      .map(({ event }) =>
        'userId' in event ? `${event.type} by ${sideOf(event.userId)}` : event.type,
      );
    it(`reaches ${String(path.state.value)} by ${events.join(', ')}`, async () => {
      let world: World | undefined;
      for (const [index, step] of path.steps.entries()) {
        if ((step.event.type as string) === 'xstate.init') world = await propose();
        else await drive(world!, step.event);
        await check(world!, step.state, step.event, index + 1);
      }
      // Once nothing is left to send, nobody got anything more (no late duplicate).
      await eventually(async () => {
        assert.equal(await outboundBacklog(t), 0);
        return true;
      }, 15_000);
      const last = path.steps[path.steps.length - 1]!;
      const expected = expectationFor(last.state, last.event);
      for (const side of ['A', 'B'] as const) {
        const { user, baseline } = world!.users[side];
        assertMessages(user, baseline, expected.messages(side));
      }
    });
  }
});

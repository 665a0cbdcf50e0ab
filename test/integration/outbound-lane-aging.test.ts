import { strict as assert } from 'node:assert';
import type { EmulatedUser, RecordedCall } from '@tete/bot-api-emulator';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import type { OutboundLane } from '../../src/outbound/outbound-message.js';

/** The sender's rate in these tests: low, so a modest supply of proposals keeps it full. */
const RATE = '20';
/** The bound of the first app; the second's is far longer than the test lasts. */
const BOUND_MS = 1_500;
/** Notices have a bound of their own, longer: nobody is waiting for them. */
const NOTICE_BOUND_MS = 3_000;
const NO_BOUND_MS = 600_000;
/** Search-lane messages kept waiting in the queue: two seconds of the sender's work. */
const BACKLOG = 40;
/** Chats the proposals go to, in turn, so that no chat's own pace holds them up. */
const CHATS = 20;

/**
 * People who pressed /start (the bot may write only to them), once the bot's answer reached
 * each: nothing of theirs is left in the queue when the test starts.
 */
async function openChats(t: TestApp, names: readonly string[]): Promise<EmulatedUser[]> {
  const users = names.map((firstName) => t.emulator.createUser({ firstName }));
  await Promise.all(users.map((user) => user.start()));
  await Promise.all(users.map((user) => user.waitForBotMessage(() => true, { timeoutMs: 20_000 })));
  const queue = t.app.deps.queues.outbound;
  const pending = () => queue.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');
  await eventually(async () => (await pending()) === 0, 20_000, 'the answers to /start');
  return users;
}

/**
 * Keeps the search lane busy at the sender's limit: tops the queue's waiting list up to
 * BACKLOG proposals every 100 ms, so it never runs dry and BullMQ always has a search job to
 * take before any prioritized one.
 */
function floodSearchLane(t: TestApp, prefix: string, chats: readonly EmulatedUser[]) {
  const { outbound } = t.app.deps.services;
  const queue = t.app.deps.queues.outbound;
  let sent = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const missing = BACKLOG - (await queue.getWaitingCount());
      for (let i = 0; i < missing; i += 1) {
        sent += 1;
        await outbound.enqueue({
          key: `${prefix}-search-${sent}`,
          chatId: chats[sent % chats.length]!.id,
          lane: 'search',
          purpose: 'proposal',
          method: 'sendMessage',
          payload: { text: `предложение ${sent}` },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    /** Resolves once the waiting list first holds the whole backlog. */
    full: () => eventually(async () => (await queue.getWaitingCount()) >= BACKLOG, 10_000),
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Queues one message of `lane` to `user`; resolves with when it was queued. */
async function queueHeld(t: TestApp, user: EmulatedUser, key: string, lane: OutboundLane) {
  let deliveredAt: number | undefined;
  t.emulator.onApiCall((call: RecordedCall) => {
    if (call.ok && call.method === 'sendMessage' && call.params.chat_id === user.id) {
      deliveredAt ??= Date.now();
    }
  });
  const queuedAt = Date.now();
  await t.app.deps.services.outbound.enqueue({
    key,
    chatId: user.id,
    lane,
    method: 'sendMessage',
    payload: { text: `${lane}: чат завершён` },
  });
  return { queuedAt, deliveredAt: () => deliveredAt };
}

const searchChats = Array.from({ length: CHATS }, (_, i) => `Search ${i}`);

const promotions = async (t: TestApp, lane: OutboundLane) => {
  const metric = await t.app.deps.metrics.outboundPromotions.get();
  return metric.values.find((value) => value.labels.lane === lane)?.value ?? 0;
};

/**
 * The starvation bounds (OUTBOUND_LANE_MAX_WAIT_MS for chat lines and replies,
 * OUTBOUND_NOTICE_MAX_WAIT_MS for notices): with the search lane holding the sender at its
 * limit, BullMQ never takes a prioritized job on its own. A reply and a notice queued at the
 * start go within their bounds when there are some, and not for the whole run when there are
 * none. The margins allow for a loaded machine: the bounds are 1.5 s and 3 s, and each must go
 * within 4.5 s past its bound; without them, the notice must still be waiting after 12 s.
 */
describe('outbound lanes: a message waits behind proposals at most its lane’s bound', function () {
  this.timeout(90_000);

  describe('with the bound', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({
        OUTBOUND_RATE_PER_SECOND: RATE,
        OUTBOUND_LANE_MAX_WAIT_MS: String(BOUND_MS),
        OUTBOUND_NOTICE_MAX_WAIT_MS: String(NOTICE_BOUND_MS),
      });
    });
    after(() => t?.stop());

    it('delivers a reply and a notice queued behind a busy search lane, each within its bound', async () => {
      const [ann, bo, ...chats] = await openChats(t, ['Ann', 'Bo', ...searchChats]);
      const flood = floodSearchLane(t, 'aging-on', chats);
      try {
        await flood.full();
        const notice = await queueHeld(t, ann!, 'aging-on-notice', 'notice');
        const reply = await queueHeld(t, bo!, 'aging-on-reply', 'reply');
        await eventually(() => notice.deliveredAt() && reply.deliveredAt(), 15_000, 'both');
        const noticeWait = notice.deliveredAt()! - notice.queuedAt;
        const replyWait = reply.deliveredAt()! - reply.queuedAt;
        // Not before the bound: the search lane held them until the aging round moved them.
        assert.ok(replyWait >= BOUND_MS - 50, `the reply went after ${replyWait} ms`);
        assert.ok(noticeWait >= NOTICE_BOUND_MS - 50, `the notice went after ${noticeWait} ms`);
        assert.ok(replyWait < BOUND_MS + 4_500, `the reply waited ${replyWait} ms`);
        assert.ok(noticeWait < NOTICE_BOUND_MS + 4_500, `the notice waited ${noticeWait} ms`);
        assert.equal(await promotions(t, 'notice'), 1);
        // (The answers to /start still on their way when the flood began may be promoted too.)
        assert.ok((await promotions(t, 'reply')) >= 1);
        // The proposals kept going meanwhile: the bound costs them a slot each, no more.
        assert.ok((await t.app.deps.queues.outbound.getWaitingCount()) > 0);
      } finally {
        await flood.stop();
      }
    });
  });

  describe('without it', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({
        OUTBOUND_RATE_PER_SECOND: RATE,
        OUTBOUND_LANE_MAX_WAIT_MS: String(NO_BOUND_MS),
        OUTBOUND_NOTICE_MAX_WAIT_MS: String(NO_BOUND_MS),
      });
    });
    after(() => t?.stop());

    it('holds the notice for as long as the search lane stays busy, then sends it', async () => {
      const [ann, ...chats] = await openChats(t, ['Ann', ...searchChats]);
      const flood = floodSearchLane(t, 'aging-off', chats);
      let notice: Awaited<ReturnType<typeof queueHeld>>;
      try {
        await flood.full();
        notice = await queueHeld(t, ann!, 'aging-off-notice', 'notice');
        await new Promise((resolve) => setTimeout(resolve, 12_000));
        assert.equal(notice.deliveredAt(), undefined, 'the notice went while proposals waited');
        assert.equal(await promotions(t, 'notice'), 0);
      } finally {
        await flood.stop();
      }
      // Held, not lost: once the proposals are out, it goes.
      await eventually(() => notice.deliveredAt(), 15_000, 'the notice after the flood');
    });
  });
});

import { strict as assert } from 'node:assert';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createOutbound } from '../../src/outbound/outbound-queue.js';
import { createHeldMessages } from '../../src/outbound/held-messages.js';
import type { OutboundLane } from '../../src/outbound/outbound-message.js';

/** Telegram's per-chat limit as the Bot API emulator models it: a bucket of 3, 1 a second. */
const TELEGRAM_BURST = 3;
const TELEGRAM_PER_MS = 1 / 1000;

/**
 * The least a chat's bucket holds just before each send, if every message goes exactly at
 * its slot: below 1 is a 429, and what lies above 1 is the slack left for a send that goes
 * a little late after one that went on time.
 */
function leastTokensBeforeASend(slots: readonly number[]): number {
  let tokens = TELEGRAM_BURST;
  let last = slots[0]!;
  let least = Infinity;
  for (const slot of [...slots].sort((a, b) => a - b)) {
    tokens = Math.min(TELEGRAM_BURST, tokens + (slot - last) * TELEGRAM_PER_MS);
    last = slot;
    least = Math.min(least, tokens);
    tokens -= 1;
  }
  return least;
}

/**
 * The reservation that paces each chat: a proposal may take Telegram's extra message of
 * burst in a busy chat, so it is not scheduled behind the notices already waiting there, but
 * it keeps OUTBOUND_SEARCH_MARGIN_MS from the limit, even when two come in a row (a proposal,
 * then the chat's opening message). Without that margin both are due the very moment the
 * bucket refills, and a send that goes a few milliseconds late meets a 429.
 */
describe('outbound pacing: each chat within Telegram’s limit, with a margin', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    // Only the API: no sender takes the jobs, so their slots can be read back.
    t = await startTestApp({ ROLES: 'api', OUTBOUND_CHAT_INTERVAL_MS: '1000' });
  });
  after(() => t?.stop());

  /** Queues `lanes` in one chat at one instant; returns each message's slot. */
  async function slotsOf(chatId: number, lanes: readonly OutboundLane[], marginMs: number) {
    const { db, redis, keys, queues } = t.app.deps;
    const start = Date.now();
    const outbound = createOutbound({
      queue: queues.outbound,
      held: createHeldMessages(queues.heldMessages),
      db,
      redis,
      keys,
      chatIntervalMs: 1000,
      chatBurst: 2,
      searchMarginMs: marginMs,
      now: () => start,
    });
    const slots: number[] = [];
    for (const [index, lane] of lanes.entries()) {
      const key = `pacing-${chatId}-${index}`;
      await outbound.enqueue({ key, chatId, lane, method: 'sendMessage', payload: { text: key } });
      const job = await queues.outbound.getJob(key);
      assert.ok(job, `job ${key}`);
      slots.push(start + (job.opts.delay ?? 0));
    }
    return slots.map((slot) => slot - start);
  }

  const busyChat: OutboundLane[] = ['reply', 'reply', 'reply', 'notice', 'notice'];

  it('two proposals in a busy chat go ahead of the notices still to come, 250 ms off the limit', async () => {
    const slots = await slotsOf(9001, [...busyChat, 'search', 'search', 'notice'], 250);
    assert.deepEqual(slots, [0, 0, 1000, 2000, 3000, 3250, 4250, 6000]);
    assert.ok(leastTokensBeforeASend(slots) >= 1.25 - 1e-9, 'a quarter message to spare');
  });

  it('at margin 0 the same messages are due exactly at the refill', async () => {
    const slots = await slotsOf(9002, [...busyChat, 'search', 'search', 'notice'], 0);
    assert.deepEqual(slots, [0, 0, 1000, 2000, 3000, 3000, 4000, 6000]);
    assert.equal(leastTokensBeforeASend(slots), 1, 'nothing to spare');
  });

  it('in a quiet chat a proposal goes at once, margin or not', async () => {
    assert.deepEqual(await slotsOf(9003, ['search', 'search', 'search'], 250), [0, 0, 250]);
    assert.deepEqual(await slotsOf(9004, ['notice', 'search'], 250), [0, 0]);
  });
});

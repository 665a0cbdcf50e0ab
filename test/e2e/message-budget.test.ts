import { strict as assert } from 'node:assert';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectButton, expectMessage, onboard } from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';
import { outboundBacklog } from '../helpers/outbound-backlog.js';

const textOf = (params: Record<string, unknown>) =>
  typeof params.text === 'string' ? params.text : '';

/** Bot API methods that send or edit a message: what Telegram's limits count. */
const COUNTED = new Set(['sendMessage', 'copyMessage', 'editMessageText', 'editMessageCaption']);

/**
 * The messages one whole lifecycle costs, by what they say. Telegram allows a bot about 30
 * messages a second in all, so every message here is capacity taken from everyone else: a
 * change that adds one must change this budget on purpose.
 */
const LIFECYCLE_BUDGET = {
  /** The first to search waits, so they are told the search has begun. */
  searching: 1,
  /** One proposal card each; accepting is answered by the button, not by an edit. */
  proposal: 2,
  /** The chat's opening message (partner, topics and the rules) each. */
  chatOpen: 2,
  /** One line each way, relayed as a copy. */
  relayed: 2,
  /** "Chat ended" with the rating buttons, each; the rating is thanked by the button. */
  chatEnded: 2,
};

/**
 * One whole lifecycle through the Bot API emulator: two people /find, get a proposal, both
 * accept, chat, one ends the chat, both rate it. Counts the sends and edits it took.
 */
describe('e2e: the Bot API calls of one lifecycle', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  /** Sends and edits by purpose, and proposals delivered, from the service's /metrics. */
  async function budgetMetrics(): Promise<Record<string, number>> {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const sample = (line: string) => {
      const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
      return found ? Number(found.slice(line.length + 1)) : 0;
    };
    const purposes = [
      'searching',
      'proposal',
      'chat_open',
      'relay',
      'chat_ended',
      'proposal_closed',
    ];
    return {
      ...Object.fromEntries(
        purposes.map((purpose) => [
          purpose,
          sample(`telegram_messages_total{purpose="${purpose}"}`),
        ]),
      ),
      delivered: sample('match_find_to_proposal_delivered_ms_count'),
      heldQueued: sample('outbound_held_total{outcome="queued"}'),
      heldDropped: sample('outbound_held_total{outcome="dropped"}'),
      runsCalled: sample('outbound_runs_total{outcome="called"}'),
      runsMoot: sample('outbound_runs_total{outcome="moot"}'),
    };
  }

  it('stays within the budget of sends and edits, and answers every button', async () => {
    const ada = await onboard(t.emulator, { firstName: 'Ada', topics: [23, 24] });
    const ben = await onboard(t.emulator, { firstName: 'Ben', topics: [23, 24] });
    await eventually(async () => (await outboundBacklog(t)) === 0, 15_000, 'onboarding sent');
    const start = t.emulator.calls().at(-1)?.seq ?? 0;
    const metricsBefore = await budgetMetrics();

    await ada.sendCommand('find');
    await expectMessage(ada, /Ищу вам собеседника/, 10_000);
    await ben.sendCommand('find');
    const cards = await Promise.all(
      [ada, ben].map((u) => expectButton(u, /^match:accept:/, 10_000)),
    );
    for (const [i, user] of [ada, ben].entries()) {
      const card = cards[i]!;
      const data = user
        .inlineButtons(card)
        .find((b) => 'callback_data' in b && /accept/.test(b.callback_data ?? ''));
      const query = await user.pressButton(
        card.message_id,
        (data as { callback_data: string }).callback_data,
      );
      await user.waitForCallbackAnswer(query, 10_000);
    }
    await expectMessage(ada, /^Чат открыт! Ваш собеседник — Ben/, 10_000);
    await expectMessage(ben, /^Чат открыт! Ваш собеседник — Ada/, 10_000);
    await ada.sendText('Привет!');
    await ben.waitForBotMessage((m) => m.text === 'Привет!', {
      timeoutMs: 10_000,
      since: 'beginning',
    });
    await ben.sendText('Привет, Ада!');
    await ada.waitForBotMessage((m) => m.text === 'Привет, Ада!', {
      timeoutMs: 10_000,
      since: 'beginning',
    });
    await ada.sendCommand('end');
    for (const user of [ada, ben]) {
      const prompt = await expectButton(user, /^rate:\d+:4$/, 10_000);
      const rate = user
        .inlineButtons(prompt)
        .find((b) => 'callback_data' in b && /:4$/.test(b.callback_data ?? ''));
      const query = await user.pressButton(
        prompt.message_id,
        (rate as { callback_data: string }).callback_data,
      );
      assert.match(
        (await user.waitForCallbackAnswer(query, 10_000)).text ?? '',
        /Спасибо за оценку/,
      );
    }
    // Nothing more is on its way.
    await eventually(async () => (await outboundBacklog(t)) === 0, 15_000, 'nothing left to send');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const calls = t.emulator.calls(
      (call) => call.seq > start && COUNTED.has(call.method) && call.ok,
    );
    const by = (pattern: RegExp) =>
      calls.filter((call) => pattern.test(textOf(call.params))).length;
    const counted = {
      searching: by(/^Ищу вам собеседника/),
      proposal: by(/^Нашёлся собеседник/),
      chatOpen: by(/^Чат открыт!/),
      relayed: calls.filter((call) => call.method === 'copyMessage').length,
      chatEnded: by(/закончил(и)? чат\.\nБыл ли разговор полезен/),
    };
    const total = Object.values(LIFECYCLE_BUDGET).reduce((sum, n) => sum + n, 0);
    assert.deepEqual(counted, LIFECYCLE_BUDGET);
    assert.equal(
      calls.length,
      total,
      `every send or edit is one the budget names: ${JSON.stringify(calls.map((c) => [c.method, textOf(c.params).slice(0, 30)]))}`,
    );
    // The metrics move with them: sends and edits by purpose, and /find to proposal delivered.
    const metricsAfter = await budgetMetrics();
    const moved = Object.fromEntries(
      Object.entries(metricsAfter).map(([name, value]) => [name, value - metricsBefore[name]!]),
    );
    assert.deepEqual(moved, {
      searching: 1,
      proposal: 2,
      chat_open: 2,
      relay: 2,
      chat_ended: 2,
      proposal_closed: 0,
      delivered: 2,
      // Ada's "Looking for a partner…" was due with her search still open; Ben's, held while
      // his proposal came, was dropped without reaching the sender: it took no slot of the
      // sender's rate limiter, whose every run but a wait made its call.
      heldQueued: 1,
      heldDropped: 1,
      runsCalled: total,
      runsMoot: 0,
    });
    // Per /find, without the relayed chat content: (9 - 2) / 2 = 3.5 sends and edits.
    assert.equal((total - LIFECYCLE_BUDGET.relayed) / 2, 3.5);
  });
});

import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { eventually } from '../helpers/eventually.js';
import { expectMessage, onboard } from '../helpers/telegram-users.js';

const searchRow = z.object({ state: z.string(), end_reason: z.string().nullable() });

/**
 * A search ends after SEARCH_TTL_MINUTES, leaves the waiting pool, and the user is told in
 * Telegram; /cancel ends it earlier. The whole service, with the Bot API emulator.
 */
describe('matching: the end of a search (TTL and /cancel)', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    // 3 seconds; the sweeper runs every second in tests.
    t = await startTestApp({ SEARCH_TTL_MINUTES: '0.05' });
  });
  after(() => t?.stop());

  const userId = (tgId: number) =>
    t.app.deps.db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${tgId}`);
  const searches = (id: number) =>
    t.app.deps.db.any(sql.type(searchRow)`
      SELECT state, end_reason FROM searches WHERE user_id = ${id} ORDER BY requested_at`);
  const inPool = (id: number) =>
    t.app.deps.db.exists(sql.type(z.object({ one: z.number() }))`
      SELECT 1 AS one FROM waiting_pool WHERE user_id = ${id}`);

  it('ends a search older than the TTL, takes it out of the pool and tells the user', async () => {
    const lonely = await onboard(t.emulator, { firstName: 'Lonely', topics: [30, 31, 32] });
    const id = await userId(lonely.id);
    await lonely.sendCommand('find');
    await expectMessage(lonely, /Ищу вам собеседника/);
    await eventually(() => inPool(id), 20_000, 'the search to wait in the pool');
    await expectMessage(lonely, /собеседник не нашёлся, поиск остановлен/, 20_000);
    assert.deepEqual(await searches(id), [{ state: 'expired', end_reason: 'ttl' }]);
    assert.equal(await inPool(id), false);
    // Told once, however many sweeps ran since.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const notices = lonely
      .botMessages()
      .filter((message) => /поиск остановлен/.test(message.text ?? ''));
    assert.equal(notices.length, 1);
    // And free to search again.
    await lonely.sendCommand('find');
    await expectMessage(lonely, /Ищу вам собеседника/);
    await eventually(async () => (await searches(id)).length === 2, 20_000, 'a new search');
  });

  it('/cancel ends a waiting search at once', async () => {
    const user = await onboard(t.emulator, { firstName: 'Quitter', topics: [27, 28, 29] });
    const id = await userId(user.id);
    await user.sendCommand('find');
    await eventually(() => inPool(id), 20_000, 'the search to wait in the pool');
    await user.sendCommand('cancel');
    await expectMessage(user, /Поиск остановлен/);
    assert.deepEqual(await searches(id), [{ state: 'cancelled', end_reason: 'cancelled' }]);
    assert.equal(await inPool(id), false);
  });
});

import { strict as assert } from 'node:assert';
import { createRedisLossRepair } from '../../src/recovery/redis-loss-repair.js';
import { captureLogs } from '../helpers/log-capture.js';

/**
 * A first start on a new Redis has no loss marker either: it must not greet a newcomer with
 * warnings, while a real loss that left searches or chats to repair must stand out.
 */
describe('Redis loss repair: what it logs', () => {
  function repairWith(open: { searches: number; chats: number }) {
    const logs = captureLogs('debug');
    const repair = createRedisLossRepair({
      marker: { takeLoss: () => Promise.resolve(true), restore: () => Promise.resolve() },
      reconciler: {
        reconcileProposals: () => Promise.resolve(),
        settleOrphans: () => Promise.resolve(),
      } as never,
      searchSweeper: { reannounceAllQueued: () => Promise.resolve(open.searches) },
      chats: {
        rearmIdleTimers: () => Promise.resolve(0),
        rearmAllIdleTimers: () => Promise.resolve(open.chats),
        resendIntros: () => Promise.resolve(),
      } as never,
      log: logs.log,
    });
    return { repair, logs };
  }
  const levels = (logs: ReturnType<typeof captureLogs>) =>
    logs.records().map((record) => [record.level, record.msg]);

  it('a first start (nothing open) logs at info only', async () => {
    const { repair, logs } = repairWith({ searches: 0, chats: 0 });
    assert.deepEqual(await repair.sweep(), { lost: true });
    assert.ok(levels(logs).length === 2, JSON.stringify(levels(logs)));
    assert.ok(
      levels(logs).every(([level]) => level === 30),
      JSON.stringify(levels(logs)),
    );
  });

  it('a loss that left searches or chats open is a warning, with the counts', async () => {
    const { repair, logs } = repairWith({ searches: 3, chats: 2 });
    await repair.sweep();
    const warned = logs.records().find((record) => record.level === 40);
    assert.equal(warned?.msg, 'repaired from PostgreSQL after Redis lost its data');
    assert.equal(warned?.searches, 3);
    assert.equal(warned?.chats, 2);
  });
});

import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDbPool } from '../../src/db/pool.js';
import { partnersWaiting } from '../../sandbox/partner-waiting.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { createUser } from '../helpers/matching-fixtures.js';

/**
 * The acceptance run's judgement "a partner the service could propose was waiting when this
 * /find was pressed", read from PostgreSQL's history of searches and matches at a moment T.
 */
describe('the acceptance judgement of a partner waiting (PostgreSQL history)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  const T = Date.parse('2026-06-01T12:00:00Z');
  const at = (offsetMs: number) => new Date(T + offsetMs).toISOString();

  before(async () => {
    db = await createDbPool({ url: await createScratchDatabase(), size: 2 });
  });
  after(() => db?.end());

  const tgOf = (userId: number) =>
    db.oneFirst(sql.type(z.object({ tg_id: z.number() }))`
      SELECT tg_id FROM users WHERE id = ${userId}`);

  /** A search of `userId` requested at T + `from` ms, ended at T + `to` ms (open if null). */
  async function search(userId: number, from: number, to: number | null): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO searches (id, user_id, state, requested_at, queued_at, ended_at)
      VALUES (gen_random_uuid(), ${userId}, ${to === null ? 'waiting' : 'ended'},
              ${at(from)}, ${at(from)}, ${to === null ? null : at(to)})`);
  }

  /** A proposal between two users created at T + `from` ms, decided at T + `to` (open if null). */
  async function match(a: number, b: number, from: number, to: number | null): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO matches (user_a, user_b, status, score, shared_count, shared_topic_ids,
                           created_at, expires_at, decided_at)
      VALUES (${a}, ${b}, ${to === null ? 'proposed' : 'declined'}, 0.5, 2, '{1,2}',
              ${at(from)}, ${at(from + 60_000)}, ${to === null ? null : at(to)})`);
  }

  it('sees a partner only where the matcher was allowed to propose one', async () => {
    const user = (topics: number[]) => createUser(db, { topics });
    // 1. A compatible partner searching since before T, in no proposal: waiting.
    const [seeker1, partner1] = [await user([1, 2, 3]), await user([1, 2, 9])];
    await search(partner1, -10_000, null);
    // 2. The only compatible searcher is in a proposal of their own at T: nobody waiting.
    const [seeker2, partner2, other2] = [await user([4, 5]), await user([4, 5]), await user([7])];
    await search(partner2, -10_000, null);
    await match(partner2, other2, -2_000, null);
    // 3. The only compatible searcher was proposed to the seeker before (cooldown).
    const [seeker3, partner3] = [await user([10, 11]), await user([10, 11])];
    await search(partner3, -10_000, null);
    await match(seeker3, partner3, -60_000, -30_000);
    // 4. One shared topic only.
    const [seeker4, partner4] = [await user([12, 13]), await user([12, 14])];
    await search(partner4, -10_000, null);
    // 5. Searching, but only from after T; another's search ended before T.
    const [seeker5, late5, gone5] = [
      await user([15, 16]),
      await user([15, 16]),
      await user([15, 16]),
    ];
    await search(late5, 5_000, null);
    await search(gone5, -20_000, -1_000);
    // 6. Blocked (by the partner).
    const [seeker6, partner6] = [await user([17, 18]), await user([17, 18])];
    await search(partner6, -10_000, null);
    await db.query(sql.unsafe`
      INSERT INTO blocks (user_id, blocked_id) VALUES (${partner6}, ${seeker6})`);
    // 7. A proposal that was decided before T leaves the partner free again.
    const [seeker7, partner7, other7] = [
      await user([19, 20]),
      await user([19, 20]),
      await user([8]),
    ];
    await search(partner7, -30_000, null);
    await match(partner7, other7, -20_000, -5_000);

    const seekers = [seeker1, seeker2, seeker3, seeker4, seeker5, seeker6, seeker7];
    const presses = [
      ...(await Promise.all(seekers.map(async (id) => ({ tgId: await tgOf(id), at: T })))),
      { tgId: 1, at: T }, // nobody the service knows
    ];
    assert.deepEqual(await partnersWaiting(db, presses), [
      true,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    // The same partner, judged at a moment inside their own proposal (case 7): not waiting.
    assert.deepEqual(await partnersWaiting(db, [{ tgId: await tgOf(seeker7), at: T - 10_000 }]), [
      false,
    ]);
    assert.deepEqual(await partnersWaiting(db, []), []);
  });
});

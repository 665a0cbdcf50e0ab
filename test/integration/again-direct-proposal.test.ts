import { strict as assert } from 'node:assert';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createUsers } from './proposal-support.js';
import { zoneAtLocalHour } from '../helpers/again-steps.js';

/**
 * A direct proposal (/again) is an ordinary proposal record: PostgreSQL holds it with the
 * inviter's acceptance, so a record lost with Redis is rebuilt with that acceptance and the
 * invited person's "yes" still opens the chat. It needs a saved pair, and takes nobody busy.
 */
describe('chat again: direct proposals in PostgreSQL and Redis', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ ROLES: 'timers', STANDING_PROPOSAL_TTL_SECONDS: '600' });
  });
  after(() => t?.stop());

  async function savedPair(): Promise<[number, number]> {
    const { db } = t.app.deps;
    const [a, b] = (await createUsers(db, 2, [1, 2, 3])) as [number, number];
    await db.query(sql.unsafe`
      UPDATE users SET tz = ${zoneAtLocalHour(13).zone} WHERE id IN (${a}, ${b})`);
    await db.query(sql.unsafe`INSERT INTO again_pairs (user_low, user_high) VALUES (${a}, ${b})`);
    return [a, b];
  }

  it('is rebuilt from PostgreSQL with the inviter’s acceptance after Redis lost it', async () => {
    const { db, redis, keys, services } = t.app.deps;
    const [a, b] = await savedPair();
    const sent = await services.again.invite(a, b);
    assert.equal(sent.kind, 'sent');
    const matchId = sent.kind === 'sent' ? sent.matchId : 0;
    const row = await db.one(sql.type(
      z.object({ kind: z.string(), search_a: z.string().nullable(), accepted: z.boolean() }),
    )`
      SELECT kind, search_a, accepted_a_at IS NOT NULL AS accepted FROM matches
      WHERE id = ${matchId}`);
    assert.deepEqual(row, { kind: 'again', search_a: null, accepted: true });

    await redis.del(keys.proposal(matchId));
    assert.equal(await services.runtime.ensure(matchId), true, 'rebuilt');
    const result = await services.runtime.send(matchId, { type: 'proposal.accept', userId: b });
    assert.equal(result.status, 'active', 'one "yes" opens the chat: the inviter had accepted');
    const chats = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM chat_sessions WHERE match_id = ${matchId}`);
    assert.equal(chats, 1);
  });

  it('refuses people who are not a saved pair, and a busy inviter', async () => {
    const { db, services } = t.app.deps;
    const [a, b] = (await createUsers(db, 2)) as [number, number];
    assert.equal((await services.again.invite(a, b)).kind, 'not_saved');
    const [c, d] = await savedPair();
    const first = await services.again.invite(c, d);
    assert.equal(first.kind, 'sent');
    // The first invitation still waits for its answer: both are engaged in it.
    assert.equal((await services.again.invite(c, d)).kind, 'busy');
    assert.equal((await services.again.invite(d, c)).kind, 'busy');
  });
});

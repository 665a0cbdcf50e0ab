import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { processSearch, UserStillEngagedError } from '../../src/matcher/claim-match.js';
import { wakingMinutes } from '../../src/time/waking-hours.js';
import { matchScore, wakingOverlap } from '../helpers/score-oracle.js';
import {
  countRows,
  createSearch,
  createUser,
  enterPool,
  searchStates,
  withMatchingDatabase,
} from '../helpers/matching-fixtures.js';

const L = wakingMinutes({ start: 9, end: 23 });
const options = { proposalTtlMs: 300_000, wakingMinutes: L };
const MSK = 180;
const NYC = -300;

const matchOf = z.object({
  user_a: z.number(),
  user_b: z.number(),
  score: z.number(),
  shared_count: z.number(),
  shared_topic_ids: z.array(z.number()),
});

/**
 * Candidate selection and the claim against a real PostgreSQL: the sprint document's rules
 * (>= 2 shared topics, cooldown and blocks in both directions), the score and its ranking.
 */
describe('matching: candidate selection and claim (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: DatabasePool;
  withMatchingDatabase((pool) => (db = pool), 6);

  const find = async (userId: number) => processSearch(db, await createSearch(db, userId), options);
  const pool = () =>
    db.anyFirst(sql.type(z.object({ user_id: z.number() }))`
    SELECT user_id FROM waiting_pool ORDER BY user_id`);
  const onlyMatch = () =>
    db.one(sql.type(matchOf)`
    SELECT user_a, user_b, score, shared_count, shared_topic_ids FROM matches`);

  it('puts the first user in the pool and proposes the second one to them', async () => {
    const alice = await createUser(db, { topics: [1, 2, 3] });
    const bob = await createUser(db, { topics: [2, 3, 4] });
    assert.deepEqual(await find(alice), { kind: 'waiting' });
    assert.deepEqual(await pool(), [alice]);
    const outcome = await find(bob);
    assert.equal(outcome.kind, 'matched');
    const match = await onlyMatch();
    assert.equal(match.user_a, bob);
    assert.equal(match.user_b, alice);
    assert.deepEqual(match.shared_topic_ids, [2, 3]);
    assert.equal(match.shared_count, 2);
    assert.ok(Math.abs(match.score - matchScore(2, 1, 0.5)) < 1e-6);
    assert.deepEqual(await pool(), []);
    assert.deepEqual(await searchStates(db, alice), ['proposed']);
    assert.deepEqual(await searchStates(db, bob), ['proposed']);
    const engaged = await db.anyFirst(sql.type(z.object({ user_id: z.number() }))`
      SELECT user_id FROM engagements WHERE kind = 'proposal' ORDER BY user_id`);
    assert.deepEqual(
      engaged,
      [alice, bob].sort((a, b) => a - b),
    );
  });

  it('needs at least two shared topics', async () => {
    const alice = await createUser(db, { topics: [1, 2, 3] });
    const bob = await createUser(db, { topics: [3, 4, 5] });
    await find(alice);
    assert.deepEqual(await find(bob), { kind: 'waiting' });
    assert.deepEqual(
      await pool(),
      [alice, bob].sort((a, b) => a - b),
    );
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 0);
  });

  for (const direction of ['seeker → candidate', 'candidate → seeker'] as const) {
    it(`respects an active cooldown stored as ${direction}`, async () => {
      const waiting = await createUser(db, { topics: [1, 2] });
      const seeker = await createUser(db, { topics: [1, 2] });
      const [from, to] = direction === 'seeker → candidate' ? [seeker, waiting] : [waiting, seeker];
      await db.query(sql.unsafe`
        INSERT INTO recent_contacts (user_id, other_id, until)
        VALUES (${from}, ${to}, now() + interval '1 hour')`);
      await find(waiting);
      assert.deepEqual(await find(seeker), { kind: 'waiting' });
      assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 0);
    });

    it(`respects a block stored as ${direction}`, async () => {
      const waiting = await createUser(db, { topics: [1, 2] });
      const seeker = await createUser(db, { topics: [1, 2] });
      const [from, to] = direction === 'seeker → candidate' ? [seeker, waiting] : [waiting, seeker];
      await db.query(sql.unsafe`INSERT INTO blocks (user_id, blocked_id) VALUES (${from}, ${to})`);
      await find(waiting);
      assert.deepEqual(await find(seeker), { kind: 'waiting' });
      assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 0);
    });
  }

  it('ignores a cooldown that has run out, and skips only the pair it names', async () => {
    const waiting = await createUser(db, { topics: [1, 2] });
    const other = await createUser(db, { topics: [1, 2] });
    const seeker = await createUser(db, { topics: [1, 2] });
    await db.query(sql.unsafe`
      INSERT INTO recent_contacts (user_id, other_id, until)
      VALUES (${seeker}, ${waiting}, now() - interval '1 second'),
             (${other}, ${waiting}, now() + interval '1 hour')`);
    await find(waiting);
    assert.equal((await find(seeker)).kind, 'matched');
    const match = await onlyMatch();
    assert.deepEqual([match.user_a, match.user_b], [seeker, waiting]);
  });

  it('ranks by score: more shared topics win over a longer wait', async () => {
    const two = await createUser(db, { topics: [1, 2, 20] });
    const three = await createUser(db, { topics: [1, 2, 3, 21] });
    await enterPool(db, two, { utcOffsetMin: MSK, requestedAgoMs: 600_000 });
    await enterPool(db, three, { utcOffsetMin: MSK, requestedAgoMs: 60_000 });
    const seeker = await createUser(db, { topics: [1, 2, 3, 4, 5] });
    await find(seeker);
    const match = await onlyMatch();
    assert.equal(match.user_b, three);
    assert.ok(Math.abs(match.score - matchScore(3, 1, 0.5)) < 1e-6);
  });

  it('ranks by score: the waking-hours overlap counts', async () => {
    const newYork = await createUser(db, { topics: [1, 2], tz: 'America/New_York' });
    const moscow = await createUser(db, { topics: [1, 2] });
    await enterPool(db, newYork, { utcOffsetMin: NYC, requestedAgoMs: 600_000 });
    await enterPool(db, moscow, { utcOffsetMin: MSK, requestedAgoMs: 60_000 });
    const seeker = await createUser(db, { topics: [1, 2] });
    await find(seeker);
    assert.equal((await onlyMatch()).user_b, moscow);
  });

  it('ranks by score: helpfulness counts, and can outweigh a shared topic', async () => {
    // 3 shared, 12 h apart, helpfulness 0.5: 0.36 + 0.2*4/14 + 0.1 = 0.517
    // 2 shared, same zone, helpfulness 1:   0.24 + 0.2      + 0.2 = 0.64
    const far = await createUser(db, { topics: [1, 2, 3] });
    const helpful = await createUser(db, { topics: [1, 2, 30], helpfulness: 1 });
    await enterPool(db, far, { utcOffsetMin: MSK - 720, requestedAgoMs: 600_000 });
    await enterPool(db, helpful, { utcOffsetMin: MSK, requestedAgoMs: 60_000 });
    const seeker = await createUser(db, { topics: [1, 2, 3] });
    await find(seeker);
    const match = await onlyMatch();
    assert.equal(match.user_b, helpful);
    assert.ok(matchScore(3, wakingOverlap(MSK, MSK - 720, L), 0.5) < matchScore(2, 1, 1));
    assert.ok(Math.abs(match.score - matchScore(2, 1, 1)) < 1e-6);
  });

  it('breaks ties by the longest wait, in order', async () => {
    const users = [];
    for (const minutes of [5, 15, 10]) {
      const id = await createUser(db, { topics: [1, 2, 3] });
      await enterPool(db, id, { utcOffsetMin: MSK, requestedAgoMs: minutes * 60_000 });
      users.push(id);
    }
    const [fiveMin, fifteenMin, tenMin] = users;
    const partners = [];
    for (let i = 0; i < 3; i += 1) {
      const seeker = await createUser(db, { topics: [1, 2, 3] });
      const outcome = await find(seeker);
      assert.equal(outcome.kind, 'matched');
      partners.push(outcome.kind === 'matched' ? outcome.match.userB : 0);
    }
    assert.deepEqual(partners, [fifteenMin, tenMin, fiveMin]);
  });

  it('drops a pool row whose search has ended instead of failing on it', async () => {
    // What a suspension racing a matcher can leave behind: a pool row of a cancelled search.
    const leftover = await createUser(db, { topics: [1, 2, 3] });
    const leftoverSearch = await enterPool(db, leftover, { utcOffsetMin: MSK });
    await db.query(sql.unsafe`
      UPDATE searches SET state = 'cancelled', ended_at = now() WHERE id = ${leftoverSearch}`);
    const next = await createUser(db, { topics: [1, 2] });
    await enterPool(db, next, { utcOffsetMin: MSK });
    const seeker = await createUser(db, { topics: [1, 2, 3] });
    const outcome = await find(seeker);
    assert.equal(outcome.kind, 'matched');
    assert.equal((await onlyMatch()).user_b, next);
    assert.deepEqual(await pool(), []);
    assert.deepEqual(await searchStates(db, leftover), ['cancelled']);
  });

  it('acts once per search: a redelivered request changes nothing', async () => {
    const alice = await createUser(db, { topics: [1, 2] });
    const bob = await createUser(db, { topics: [1, 2] });
    const aliceSearch = await createSearch(db, alice);
    assert.deepEqual(await processSearch(db, aliceSearch, options), { kind: 'waiting' });
    assert.deepEqual(await processSearch(db, aliceSearch, options), {
      kind: 'skipped',
      reason: 'not_queued',
    });
    const bobSearch = await createSearch(db, bob);
    const first = await processSearch(db, bobSearch, options);
    assert.equal(first.kind, 'matched');
    const again = await processSearch(db, bobSearch, options);
    const matchId = first.kind === 'matched' ? first.match.matchId : 0;
    assert.deepEqual(again, { kind: 'skipped', reason: 'not_queued', matchId });
    assert.equal(await countRows(db, sql.fragment`SELECT 1 FROM matches`), 1);
    assert.equal(
      await processSearch(db, '00000000-0000-4000-8000-000000000000', options).then((o) => o.kind),
      'skipped',
    );
  });

  it('ends the search of a user who is no longer eligible', async () => {
    const noRules = await createUser(db, { topics: [1, 2], rulesAccepted: false });
    const oneTopic = await createUser(db, { topics: [1] });
    for (const user of [noRules, oneTopic]) {
      assert.deepEqual(await find(user), { kind: 'skipped', reason: 'ineligible' });
      assert.deepEqual(await searchStates(db, user), ['ended']);
    }
    assert.deepEqual(await pool(), []);
  });

  it('refuses to match a seeker still held by another proposal', async () => {
    const alice = await createUser(db, { topics: [1, 2] });
    const bob = await createUser(db, { topics: [1, 2] });
    await find(alice);
    await find(bob);
    // Alice's proposal is still open when a stray search of hers comes along.
    await db.query(sql.unsafe`UPDATE searches SET state = 'ended', ended_at = now()`);
    const stray = await createSearch(db, alice);
    await assert.rejects(processSearch(db, stray, options), UserStillEngagedError);
    assert.deepEqual(await pool(), []);
  });

  it('has an SQL waking_overlap equal to the TypeScript wakingOverlap on a grid', async () => {
    const rows = await db.any(sql.type(
      z.object({ a: z.number(), b: z.number(), l: z.number(), v: z.number() }),
    )`
      SELECT a, b, l, waking_overlap(a, b, l) AS v
      FROM generate_series(-720, 840, 15) a, generate_series(-720, 840, 15) b,
           unnest(ARRAY[0, 60, 480, 840, 1020, 1440]) l`);
    assert.equal(rows.length, 105 * 105 * 6);
    const wrong = rows.filter((row) => row.v !== wakingOverlap(row.a, row.b, row.l));
    assert.deepEqual(wrong.slice(0, 5), []);
  });
});

import { strict as assert } from 'node:assert';
import { Queue } from 'bullmq';
import { sql, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import { QUEUE_NAMES } from '../../src/redis/keys.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  countMessages,
  expectButton,
  expectMessage,
  matchPair,
  onboard,
} from '../helpers/telegram-users.js';
import { eventually } from '../helpers/eventually.js';

const n = z.object({ n: z.number() });

/** /delete: confirmation, then erasure everywhere, with an open chat or search ended cleanly. */
describe('e2e: /delete', function () {
  this.timeout(120_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.stop());

  const rows = (query: QuerySqlToken<typeof n>) => t.app.deps.db.oneFirst(query);

  it('"Cancel" keeps everything', async () => {
    const kim = await onboard(t.emulator, { firstName: 'Kim', topics: [27, 28] });
    await kim.sendCommand('delete');
    const confirm = await expectButton(kim, /^delete:no$/);
    assert.match(confirm.text ?? '', /Удалить ваш профиль и все данные\?/);
    await kim.pressButton(confirm.message_id, 'delete:no');
    await expectMessage(kim, /Удаление отменено/);
    const left = await rows(sql.type(n)`
      SELECT count(*)::int AS n FROM users WHERE tg_id = ${kim.id} AND deleted_at IS NULL`);
    assert.equal(left, 1);
  });

  it('erases a user in a chat everywhere and tells the partner', async () => {
    const { db, redis, keys } = t.app.deps;
    const gina = await onboard(t.emulator, { firstName: 'Gina', topics: [19, 20] });
    const hank = await onboard(t.emulator, { firstName: 'Hank', topics: [19, 20] });
    const matchId = await matchPair(gina, hank);
    await gina.sendText('пока!');
    await hank.waitForBotMessage((m) => m.text === 'пока!', {
      since: 'beginning',
      timeoutMs: 10_000,
    });
    const id = await db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${gina.id}`);
    // A block she made must go too.
    await db.query(sql.unsafe`INSERT INTO blocks (user_id, blocked_id)
      SELECT ${id}, id FROM users WHERE tg_id = ${hank.id}`);

    await gina.sendCommand('delete');
    const confirm = await expectButton(gina, /^delete:yes$/);
    await gina.pressButton(confirm.message_id, 'delete:yes');
    await expectMessage(gina, /Готово: ваши данные удалены/, 10_000);
    await expectMessage(hank, /Чат закончен\./, 10_000);

    const user = await db.one(
      sql.type(
        z.object({ tg_id: z.number().nullable(), first_name: z.string(), gone: z.boolean() }),
      )`SELECT tg_id, first_name, deleted_at IS NOT NULL AS gone FROM users WHERE id = ${id}`,
    );
    assert.deepEqual(user, { tg_id: null, first_name: 'deleted', gone: true });
    const leftovers = await rows(sql.type(n)`
      SELECT ((SELECT count(*) FROM user_topics WHERE user_id = ${id})
            + (SELECT count(*) FROM waiting_pool WHERE user_id = ${id})
            + (SELECT count(*) FROM engagements WHERE user_id = ${id})
            + (SELECT count(*) FROM blocks WHERE user_id = ${id} OR blocked_id = ${id})
            + (SELECT count(*) FROM recent_contacts WHERE user_id = ${id} OR other_id = ${id})
            + (SELECT count(*) FROM feedback WHERE user_id = ${id})
            + (SELECT count(*) FROM delivered_messages WHERE chat_id = ${gina.id})
            + (SELECT count(*) FROM searches WHERE user_id = ${id}
                 AND state IN ('queued', 'waiting', 'proposed')))::int AS n`);
    assert.equal(leftovers, 0);
    const ended = await rows(sql.type(n)`
      SELECT count(*)::int AS n FROM chat_sessions WHERE match_id = ${matchId} AND end_reason = 'deleted'`);
    assert.equal(ended, 1);
    for (const key of [
      keys.conversation(gina.id),
      keys.relayOrigin(gina.id),
      keys.proposal(matchId),
    ]) {
      assert.equal(await redis.exists(key), 0, key);
    }
    // Nothing in the outbound queues (sent, held or not) names her chat any more.
    for (const name of [QUEUE_NAMES.outbound, QUEUE_NAMES.heldMessages]) {
      const queue = new Queue(name, { connection: redis, prefix: keys.queuePrefix(name) });
      try {
        await eventually(async () => {
          const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
          return jobs.every((job) => (job.data as { chatId: number }).chatId !== gina.id);
        });
      } finally {
        await queue.close();
      }
    }
    // The partner is free again and is not asked to rate a deleted account.
    const searchingBefore = countMessages(hank, /Ищу вам собеседника/);
    await hank.sendCommand('find');
    await eventually(
      () => countMessages(hank, /Ищу вам собеседника/) === searchingBefore + 1,
      10_000,
      'a new search',
    );
    assert.equal(
      hank.botMessages().some((m) => /Был ли разговор полезен/.test(m.text ?? '')),
      false,
    );
    await hank.sendCommand('cancel');
    // Coming back starts from scratch.
    await gina.start();
    await gina.waitForBotMessage((m) => /Правила tete/.test(m.text ?? ''), { timeoutMs: 10_000 });
    const again = await db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${gina.id}`);
    assert.notEqual(again, id);
  });

  it('erases a searching user from the waiting pool and the match.find stream', async () => {
    const { db, redis, keys } = t.app.deps;
    const lou = await onboard(t.emulator, { firstName: 'Lou', topics: [29, 32] });
    await lou.sendCommand('find');
    await expectMessage(lou, /Ищу вам собеседника/);
    const id = await db.oneFirst(sql.type(z.object({ id: z.number() }))`
      SELECT id FROM users WHERE tg_id = ${lou.id}`);
    await eventually(async () => {
      const waiting = await rows(sql.type(n)`
        SELECT count(*)::int AS n FROM waiting_pool WHERE user_id = ${id}`);
      return waiting === 1;
    });
    const entriesOf = async () =>
      (await redis.xrange(keys.matchFind, '-', '+')).filter(
        ([, fields]) => fields[fields.indexOf('user_id') + 1] === String(id),
      ).length;
    assert.ok((await entriesOf()) >= 1);
    await lou.sendCommand('delete');
    const confirm = await expectButton(lou, /^delete:yes$/);
    await lou.pressButton(confirm.message_id, 'delete:yes');
    await expectMessage(lou, /Готово: ваши данные удалены/, 10_000);
    assert.equal(await entriesOf(), 0);
    const waiting = await rows(sql.type(n)`
      SELECT count(*)::int AS n FROM waiting_pool WHERE user_id = ${id}`);
    assert.equal(waiting, 0);
  });
});

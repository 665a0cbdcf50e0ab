import { strict as assert } from 'node:assert';
import { secretsOf } from '../../src/logger.js';
import { captureLogs } from '../helpers/log-capture.js';

const TOKEN = '123456789:AAsecretHalfOfTheBotToken_xyz0123456';
const PASSWORD = 'pa"ss\\word/with@odd:chars';

class FakeRedisClient {
  options = { password: PASSWORD, host: '10.0.0.7' };
}

/** Shaped like grammY's BotError: the context it carries holds everything secret. */
class BotError extends Error {
  constructor(
    readonly error: unknown,
    readonly ctx: unknown,
  ) {
    super(`Error in middleware: ${(error as Error).message}`);
    this.name = 'BotError';
  }
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
    syscall: 'connect',
  });
}

describe('logger: redaction by path and by value, causes kept', () => {
  it('logs an error carrying a context as type, message, code and causes only', () => {
    const logs = captureLogs('info');
    const ctx = {
      api: { token: TOKEN },
      deps: { redis: new FakeRedisClient() },
      update: { message: { text: 'a private message', from: { first_name: 'Ann' } } },
    };
    const failure = new BotError(new Error('query failed', { cause: refused() }), ctx);
    logs.log.error({ err: failure }, 'request failed');
    const [record] = logs.records();
    assert.deepEqual(Object.keys(record!.err as object).sort(), ['cause', 'message', 'type']);
    const cause = (record!.err as { cause: { cause: Record<string, unknown> } }).cause.cause;
    assert.equal(cause.code, 'ECONNREFUSED');
    assert.equal(cause.message, 'connect ECONNREFUSED 127.0.0.1:5432');
    for (const leak of ['AAsecretHalf', 'pa\\"ss', 'a private message', 'Ann', '10.0.0.7']) {
      assert.ok(!logs.text().includes(leak), leak);
    }
  });

  it('censors personal and secret fields at any depth, and clients by class name', () => {
    const logs = captureLogs('info');
    const deep = { a: { b: { c: { d: { text: 'hello there', first_name: 'Bo', id: 7 } } } } };
    logs.log.info({ deep, client: new FakeRedisClient(), botToken: 'x', user_name: 'bo' }, 'x');
    const record = logs.records()[0]!;
    assert.deepEqual(record.deep, {
      a: { b: { c: { d: { text: '[redacted]', first_name: '[redacted]', id: 7 } } } },
    });
    assert.equal(record.client, '[FakeRedisClient]');
    assert.equal(record.botToken, '[redacted]');
    assert.equal(record.user_name, '[redacted]');
  });

  it('blanks the configured secrets out by value, in every spelling and place', () => {
    const secrets = secretsOf({
      BOT_TOKEN: TOKEN,
      INTERNAL_API_TOKEN: undefined,
      WEBHOOK_SECRET: undefined,
      DATABASE_URL: `postgres://app:${encodeURIComponent(PASSWORD)}@db/tete`,
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    const logs = captureLogs('info', secrets);
    logs.log.info({ note: `token ${TOKEN}`, nested: { x: [{ y: PASSWORD }] } }, `pw ${PASSWORD}`);
    logs.log.warn({ url: `redis://:${encodeURIComponent(PASSWORD)}@10.0.0.7:6379` }, 'encoded');
    logs.log.error({ err: new Error(`bad ${TOKEN.split(':')[1]!} half`) }, 'half');
    const text = logs.text();
    for (const spelling of [TOKEN, PASSWORD, JSON.stringify(PASSWORD).slice(1, -1)]) {
      assert.ok(!text.includes(spelling), spelling);
    }
    assert.ok(!text.includes(encodeURIComponent(PASSWORD)));
    assert.ok(!text.includes('AAsecretHalf'), 'the secret half of the bot token alone');
    assert.match(text, /\[redacted\]/);
  });

  it('masks URL passwords and Bot API paths even when nobody configured them', () => {
    const logs = captureLogs('info');
    logs.log.info(
      {
        where: 'postgres://app:hunter2@db:5432/tete',
        call: 'https://x/bot42:AAbbccddeeffgg/getMe',
      },
      'urls',
    );
    const record = logs.records()[0]!;
    assert.equal(record.where, 'postgres://app:***@db:5432/tete');
    assert.equal(record.call, 'https://x/bot[redacted]/getMe');
  });

  it('keeps the causes of operational errors readable', () => {
    const logs = captureLogs('info');
    logs.log.warn({ reason: 'connect ECONNREFUSED 127.0.0.1:6379' }, 'redis connection error');
    const aggregate = new AggregateError([refused(), refused()], '');
    logs.log.warn({ err: aggregate }, 'dependency not reachable yet');
    const [first, second] = logs.records();
    assert.equal(first!.reason, 'connect ECONNREFUSED 127.0.0.1:6379');
    const err = second!.err as { cause: { code: string }; causes: unknown[]; stack?: string };
    assert.equal(err.cause.code, 'ECONNREFUSED');
    assert.equal(err.causes.length, 1);
    assert.equal(err.stack, undefined, 'an outage needs no stack');
  });

  it('keeps the stack of a fault in the code', () => {
    const logs = captureLogs('info');
    logs.log.error({ err: new TypeError('x is undefined') }, 'bug');
    const err = logs.records()[0]!.err as { type: string; stack: string };
    assert.equal(err.type, 'TypeError');
    assert.match(err.stack, /^TypeError: x is undefined\n {4}at /);
  });
});

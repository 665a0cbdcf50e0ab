import { strict as assert } from 'node:assert';
import { ConfigError, maskUrl, parseConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('fills every default from an empty environment', () => {
    const config = parseConfig({});
    assert.equal(config.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/tete');
    assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
    assert.equal(config.REDIS_PREFIX, '');
    assert.equal(config.PORT, 3000);
    assert.equal(config.TELEGRAM_API_ROOT, 'https://api.telegram.org');
    assert.equal(config.PROPOSAL_TTL_SECONDS, 300);
    assert.equal(config.COOLDOWN_HOURS, 72);
    assert.equal(config.MAX_REQUEUES, 2);
    assert.equal(config.SEARCH_TTL_MINUTES, 30);
    assert.equal(config.CHAT_IDLE_HOURS, 24);
    assert.deepEqual(config.WAKING_HOURS, { start: 9, end: 23 });
    assert.deepEqual(config.ROLES, ['api', 'bot', 'matcher', 'timers']);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.BOT_TOKEN, undefined);
    assert.equal(config.WEBHOOK_URL, undefined);
  });

  it('accepts valid values and coerces numbers', () => {
    const config = parseConfig({
      PORT: '8080',
      BOT_TOKEN: '123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456789',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: 'a-secret_of-at-least-16',
      INTERNAL_API_TOKEN: 'sixteen-chars-long!',
      PROPOSAL_TTL_SECONDS: '2',
      COOLDOWN_HOURS: '0.5',
      ROLES: 'matcher, timers,matcher',
      WAKING_HOURS: '08:00-01:00',
      INSPECT: 'ws://127.0.0.1:9000',
    });
    assert.equal(config.PORT, 8080);
    assert.equal(config.TELEGRAM_API_ROOT, 'http://127.0.0.1:8081');
    assert.equal(config.PROPOSAL_TTL_SECONDS, 2);
    assert.equal(config.COOLDOWN_HOURS, 0.5);
    assert.deepEqual(config.ROLES, ['matcher', 'timers']);
    assert.deepEqual(config.WAKING_HOURS, { start: 8, end: 1 });
  });

  it('reads REDIS_CLUSTER_NODES as seed nodes; unset means the single Redis of REDIS_URL', () => {
    assert.equal(parseConfig({}).REDIS_CLUSTER_NODES, undefined);
    assert.deepEqual(
      parseConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001,[::1]:7002' })
        .REDIS_CLUSTER_NODES,
      [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    );
  });

  it('treats empty strings as unset', () => {
    const config = parseConfig({ BOT_TOKEN: '', WEBHOOK_URL: '', INSPECT: '' });
    assert.equal(config.BOT_TOKEN, undefined);
    assert.equal(config.WEBHOOK_URL, undefined);
  });

  const invalid: [string, Record<string, string>, RegExp][] = [
    ['PORT', { PORT: 'abc' }, /^PORT: expected an integer from 0 to 65535$/],
    ['PORT', { PORT: '70000' }, /^PORT: expected an integer from 0 to 65535$/],
    ['PORT', { PORT: '3.5' }, /^PORT: expected an integer/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL: expected a postgres:/],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }, /^REDIS_URL: expected a redis: or rediss: URL/],
    ['BOT_TOKEN', { BOT_TOKEN: 'nope' }, /^BOT_TOKEN: expected a token from @BotFather$/],
    ['TELEGRAM_API_ROOT', { TELEGRAM_API_ROOT: 'ftp://x' }, /^TELEGRAM_API_ROOT: expected/],
    [
      'WEBHOOK_SECRET',
      { WEBHOOK_URL: 'https://x.example/hook' },
      /^WEBHOOK_SECRET: required when WEBHOOK_URL is set$/,
    ],
    ['WEBHOOK_SECRET', { WEBHOOK_SECRET: 'short' }, /^WEBHOOK_SECRET: expected 16-256/],
    [
      'INTERNAL_API_TOKEN',
      { INTERNAL_API_TOKEN: 'short' },
      /^INTERNAL_API_TOKEN: expected at least 16/,
    ],
    [
      'PROPOSAL_TTL_SECONDS',
      { PROPOSAL_TTL_SECONDS: '0' },
      /^PROPOSAL_TTL_SECONDS: expected an integer from 1/,
    ],
    ['COOLDOWN_HOURS', { COOLDOWN_HOURS: '-1' }, /^COOLDOWN_HOURS: expected a number of hours/],
    ['MAX_REQUEUES', { MAX_REQUEUES: 'two' }, /^MAX_REQUEUES: expected an integer/],
    ['ROLES', { ROLES: 'api,web' }, /^ROLES: expected a comma list of api, bot, matcher, timers$/],
    ['ROLES', { ROLES: '' }, /^ROLES: expected a comma list/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of fatal, error/],
    ['WAKING_HOURS', { WAKING_HOURS: '9-23' }, /^WAKING_HOURS: expected HH:00-HH:00/],
    ['INSPECT', { INSPECT: 'http://x' }, /^INSPECT: expected a ws: or wss: URL/],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has space:' }, /^REDIS_PREFIX: expected empty/],
    [
      'REDIS_CLUSTER_NODES',
      { REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' },
      /^REDIS_CLUSTER_NODES: expected a comma list of host:port seed nodes/,
    ],
    [
      'REDIS_CLUSTER_NODES',
      { REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' },
      /^REDIS_CLUSTER_NODES: expected a comma list of host:port seed nodes/,
    ],
    [
      'REDIS_CLUSTER_NODES',
      { REDIS_CLUSTER_NODES: '10.0.0.1:70000' },
      /^REDIS_CLUSTER_NODES: expected ports from 1 to 65535/,
    ],
  ];
  for (const [name, env, message] of invalid) {
    it(`rejects a bad ${name} (${JSON.stringify(env)}) with a line naming it`, () => {
      const lines = problems(env);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, message);
    });
  }

  it('reports every bad variable, one line each', () => {
    const lines = problems({ PORT: 'x', REDIS_URL: 'nope', LOG_LEVEL: 'x' });
    assert.deepEqual(lines.map((line) => line.split(':')[0]).sort(), [
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'not-a-valid-token-but-secret';
    const lines = problems({ BOT_TOKEN: secret, INTERNAL_API_TOKEN: 'short' });
    assert.ok(lines.every((line) => !line.includes(secret) && !line.includes('short')));
  });

  it('masks passwords in URLs', () => {
    assert.equal(maskUrl('postgres://u:hunter2@db:5432/tete'), 'postgres://u:***@db:5432/tete');
    assert.equal(maskUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  });
});

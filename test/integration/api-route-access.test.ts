import { strict as assert } from 'node:assert';
import { Router } from '@koa/router';
import {
  ROUTE_ACCESS,
  checkRouteAccess,
  createRouter,
  guard,
  type Access,
  type RouteRule,
} from '../../src/api/route-access.js';
import type { EmulatedUser } from '@tete/bot-api-emulator';
import type { SearchService } from '../../src/searches/search-service.js';
import { freePort } from '../../sim-kit/free-port.js';
import { TEST_API_TOKEN, startTestApp, type TestApp } from '../helpers/app-harness.js';
import { matchApiProbe } from '../helpers/match-api.js';
import { pathVariants, rawRequest } from '../helpers/path-variants.js';
import { onboard } from '../helpers/telegram-users.js';
import { scanKeys } from '../../src/redis/delete-keys.js';
import { textUpdate } from '../helpers/webhook-updates.js';

const SECRET = 'route-access-webhook-secret_0123';

/** Credentials that must never open a route: none, wrong ones, the right one misplaced. */
const WRONG: Record<Exclude<Access, 'public'>, Record<string, string>[]> = {
  'internal-token': [
    {},
    { authorization: 'Bearer not-the-internal-api-token' },
    { authorization: `Basic ${TEST_API_TOKEN}` },
    { 'x-telegram-bot-api-secret-token': SECRET },
  ],
  'webhook-secret': [
    {},
    { 'x-telegram-bot-api-secret-token': 'not-the-webhook-secret-0123' },
    { authorization: `Bearer ${TEST_API_TOKEN}` },
  ],
};
const RIGHT: Record<Exclude<Access, 'public'>, Record<string, string>> = {
  'internal-token': { authorization: `Bearer ${TEST_API_TOKEN}` },
  'webhook-secret': { 'x-telegram-bot-api-secret-token': SECRET },
};

/** Counts every call into the search service, whichever surface (API or bot) makes it. */
function spyOn(searches: SearchService): string[] {
  const calls: string[] = [];
  for (const name of ['find', 'confirm', 'cancel'] as const) {
    const original = searches[name].bind(searches) as (...args: unknown[]) => Promise<never>;
    (searches as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls.push(name);
      return original(...args);
    };
  }
  return calls;
}

/**
 * Every route the HTTP server serves is declared in ROUTE_ACCESS (the server refuses to start
 * otherwise). For each protected one, every spelling of its path that something in front of
 * the service might treat as the same path, sent without a valid credential, is refused and
 * reaches no handler: the search service is not called and nothing is written.
 */
describe('route access: no spelling of a path reaches a handler without its check', function () {
  this.timeout(180_000);
  let t: TestApp;
  let calls: string[];
  let probe: ReturnType<typeof matchApiProbe>;
  let person: EmulatedUser;
  let userId: number;
  let updateId = 800_000_000;

  before(async () => {
    const port = await freePort();
    t = await startTestApp({
      PORT: String(port),
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      WEBHOOK_SECRET: SECRET,
    });
    probe = matchApiProbe(t);
    person = await onboard(t.emulator, { firstName: 'Probe', topics: [1, 2] });
    userId = (await t.app.deps.services.users.byTelegramId(person.id))!.id;
    calls = spyOn(t.app.deps.services.searches);
  });
  after(() => t?.stop());

  const bodyOf = (rule: RouteRule) => {
    if (rule.path === '/telegram/webhook') {
      return JSON.stringify(textUpdate((updateId += 1), person.user, '/find'));
    }
    if (rule.path === '/match/confirm') {
      return JSON.stringify({ match_id: 1, action: 'decline', user_id: userId });
    }
    return JSON.stringify({ user_id: userId });
  };

  /** What a handler that ran would have left behind. */
  const traces = async () => ({
    searches: await probe.searchesOf(userId),
    entries: await probe.entriesAdded(),
    messages: person.botMessages().length,
    updates: (await scanKeys(t.app.deps.redis, `${t.app.deps.keys.prefix}tg:update:*`)).length,
  });

  for (const rule of ROUTE_ACCESS.filter((r) => r.access !== 'public')) {
    const access = rule.access as Exclude<Access, 'public'>;
    it(`${rule.method} ${rule.path} (${access}): every spelling without it is refused`, async () => {
      const before = await traces();
      const refusals = new Map<number, number>();
      for (const target of pathVariants(rule.path)) {
        for (const method of [rule.method, 'GET', 'PUT']) {
          for (const headers of WRONG[access]) {
            const answer = await rawRequest(
              t.url,
              method,
              target,
              { 'content-type': 'application/json', ...headers },
              method === 'GET' ? undefined : bodyOf(rule),
            );
            assert.ok(
              answer.status >= 400 && answer.status < 500,
              `${method} ${target} ${JSON.stringify(headers)} answered ${answer.status}`,
            );
            refusals.set(answer.status, (refusals.get(answer.status) ?? 0) + 1);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(calls, [], 'the search service was never called');
      assert.deepEqual(await traces(), before, 'nothing was written or sent');
      assert.ok(refusals.get(401)! > 0, 'the canonical spelling meets the check');
    });
  }

  it('the right credential on the canonical path does reach each protected route', async () => {
    for (const rule of ROUTE_ACCESS.filter((r) => r.access !== 'public')) {
      const headers = RIGHT[rule.access as Exclude<Access, 'public'>];
      const answer = await rawRequest(
        t.url,
        rule.method,
        rule.path,
        { 'content-type': 'application/json', ...headers },
        bodyOf(rule),
      );
      assert.doesNotMatch(answer.body, /"unauthorized"|no route for|method_not_allowed/, rule.path);
    }
    assert.deepEqual([...new Set(calls)].sort(), ['cancel', 'confirm', 'find']);
  });

  it('public routes answer without credentials; /readyz names no internal address', async () => {
    for (const rule of ROUTE_ACCESS.filter((r) => r.access === 'public')) {
      const answer = await rawRequest(t.url, rule.method, rule.path, {});
      assert.equal(answer.status, 200, rule.path);
    }
    const ready = await rawRequest(t.url, 'GET', '/readyz', {});
    assert.doesNotMatch(ready.body, /127\.0\.0\.1|localhost|redis:\/\/|postgres:\/\/|:\d{4,5}\b/);
  });
});

describe('route access: with INTERNAL_API_TOKEN unset', function () {
  this.timeout(60_000);
  let t: TestApp;
  let calls: string[];

  before(async () => {
    t = await startTestApp({ ROLES: 'api', INTERNAL_API_TOKEN: '' });
    calls = spyOn(t.app.deps.services.searches);
  });
  after(() => t?.stop());

  it('no spelling of /match/* is open, whatever token is presented', async () => {
    for (const rule of ROUTE_ACCESS.filter((r) => r.access === 'internal-token')) {
      for (const target of pathVariants(rule.path)) {
        for (const headers of [{}, RIGHT['internal-token'], { authorization: 'Bearer x' }]) {
          const answer = await rawRequest(
            t.url,
            rule.method,
            target,
            { 'content-type': 'application/json', ...headers },
            '{"user_id": 1}',
          );
          assert.ok(answer.status >= 400 && answer.status < 500, `${target}: ${answer.status}`);
        }
      }
    }
    assert.deepEqual(calls, []);
  });
});

describe('route access: the server checks its routes against the table', () => {
  const handler = () => undefined;

  it('refuses a route that is not declared', () => {
    const router = createRouter();
    router.get('/debug', handler);
    assert.throws(() => checkRouteAccess([router]), /GET \/debug is not declared/);
  });

  it('refuses a check on a path prefix instead of on each route', () => {
    const router = new Router({ prefix: '/match' });
    router.use(
      guard('internal-token', async (_ctx, next) => {
        await next();
      }),
    );
    router.post('/find', handler);
    assert.throws(() => checkRouteAccess([router]), /router-wide middleware/);
  });

  it('refuses a protected route that does not start with its check', () => {
    const router = createRouter({ prefix: '/match' });
    router.post('/find', handler);
    assert.throws(() => checkRouteAccess([router]), /must start with its internal-token check/);
    const webhook = createRouter();
    webhook.post('/telegram/webhook', guard('internal-token', handler), handler);
    assert.throws(() => checkRouteAccess([webhook]), /webhook-secret check/);
  });
});

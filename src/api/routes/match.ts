import type { Router } from '@koa/router';
import { z } from 'zod';
import type { SearchService } from '../../searches/search-service.js';
import { bearerAuth } from '../middlewares/bearer-auth.js';
import { createRouter } from '../route-access.js';
import { jsonBody, parseBody } from '../middlewares/json-body.js';

const id = z.number({ invalid_type_error: 'expected a positive integer' }).int().positive().safe();

const findBody = z.object({ user_id: id }).strict();
const confirmBody = z
  .object({
    match_id: id,
    action: z.enum(['accept', 'decline'], { message: 'expected "accept" or "decline"' }),
    user_id: id,
  })
  .strict();

/** Bodies are tiny; anything bigger is a mistake or an attack. */
const BODY_LIMIT_BYTES = 4 * 1024;

export interface MatchRouterDeps {
  searches: SearchService;
  internalApiToken: string | undefined;
}

/** The internal API: the contract for clients other than the bot (a Mini App, admin tools, load tests). */
export function createMatchRouter(deps: MatchRouterDeps): Router {
  const router = createRouter({ prefix: '/match' });
  // Each route checks the token itself: no spelling of its path can reach it without one.
  const auth = bearerAuth(deps.internalApiToken);
  router.post('/find', auth, jsonBody(BODY_LIMIT_BYTES), async (ctx) => {
    const body = parseBody(findBody, ctx.request.body);
    // The API's contract is {queued, already?}; the search's id stays inside the service.
    const { queued, already } = await deps.searches.find(body.user_id);
    ctx.body = already ? { queued, already } : { queued };
  });
  router.post('/confirm', auth, jsonBody(BODY_LIMIT_BYTES), async (ctx) => {
    const body = parseBody(confirmBody, ctx.request.body);
    ctx.body = { status: await deps.searches.confirm(body.match_id, body.user_id, body.action) };
  });
  router.post('/cancel', auth, jsonBody(BODY_LIMIT_BYTES), async (ctx) => {
    const body = parseBody(findBody, ctx.request.body);
    ctx.body = await deps.searches.cancel(body.user_id);
  });
  return router;
}

import { Router, type RouterOptions } from '@koa/router';
import type { Middleware } from 'koa';

/** Who may call a route: anyone, callers with INTERNAL_API_TOKEN, or Telegram (its secret). */
export type Access = 'public' | 'internal-token' | 'webhook-secret';

export interface RouteRule {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
}

/**
 * Every route the HTTP server may serve, and who may call it: the one place that decides
 * (docs/security.md explains each). The server refuses to start with a route missing here, or
 * with a protected route whose first middleware is not its declared check.
 */
export const ROUTE_ACCESS: readonly RouteRule[] = [
  { method: 'GET', path: '/healthz', access: 'public' },
  { method: 'GET', path: '/readyz', access: 'public' },
  { method: 'GET', path: '/metrics', access: 'public' },
  { method: 'POST', path: '/match/find', access: 'internal-token' },
  { method: 'POST', path: '/match/confirm', access: 'internal-token' },
  { method: 'POST', path: '/match/cancel', access: 'internal-token' },
  { method: 'POST', path: '/telegram/webhook', access: 'webhook-secret' },
];

const ACCESS = Symbol('access');

/** Marks `middleware` as the check that enforces `access`, for the server to verify. */
export function guard<T extends Middleware>(access: Access, middleware: T): T {
  return Object.assign(middleware, { [ACCESS]: access });
}

function accessOf(middleware: unknown): Access | undefined {
  return (middleware as { [ACCESS]?: Access })[ACCESS];
}

/**
 * A router that matches paths exactly: case-sensitive and without a trailing slash, so
 * `/MATCH/FIND` and `/match/find/` are not `/match/find`. Checks belong to each route, never
 * to a path prefix (a prefix check is what a differently spelled path slipped past).
 */
export function createRouter(options: Pick<RouterOptions, 'prefix'> = {}): Router {
  return new Router({ ...options, sensitive: true, strict: true });
}

/**
 * @throws Error naming the first route that is undeclared, guarded by a router-wide
 * middleware instead of its own check, or missing its declared check.
 */
export function checkRouteAccess(routers: readonly Router[]): void {
  for (const router of routers) {
    for (const layer of router.stack) {
      const methods = layer.methods.filter((method) => method !== 'HEAD');
      if (!methods.length) {
        throw new Error(`router-wide middleware on ${layer.path}: guard each route instead`);
      }
      for (const method of methods) {
        const rule = ROUTE_ACCESS.find((r) => r.method === method && r.path === layer.path);
        if (!rule) throw new Error(`${method} ${layer.path} is not declared in ROUTE_ACCESS`);
        const first = accessOf(layer.stack[0]);
        if (rule.access !== 'public' && first !== rule.access) {
          throw new Error(`${method} ${layer.path} must start with its ${rule.access} check`);
        }
      }
    }
  }
}

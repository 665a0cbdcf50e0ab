import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Router } from '@koa/router';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { errorMiddleware } from './middlewares/errors.js';
import { canonicalPath } from './middlewares/canonical-path.js';
import { checkRouteAccess } from './route-access.js';

export interface HttpServerDeps {
  log: Logger;
  metrics: Metrics;
  routers: readonly Router[];
}

export interface HttpServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

/** How long in-flight requests get to finish once the server is closing. */
const CLOSE_GRACE_MS = 10_000;

/** @throws Error when a route is not declared in ROUTE_ACCESS or lacks its check. */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  checkRouteAccess(deps.routers);
  const koa = new Koa();
  koa.proxy = true;
  koa.silent = true;
  koa.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      deps.metrics.httpDuration
        .labels(ctx.method, String(route), String(ctx.status))
        .observe(performance.now() - started);
    }
  });
  koa.use(errorMiddleware(deps.log));
  koa.use(canonicalPath());
  for (const router of deps.routers) {
    koa.use(router.routes());
    koa.use(router.allowedMethods());
  }
  const handle = koa.callback();
  let closing = false;
  const server = createServer((request, response) => {
    // While closing, every answer ends its connection: a client that keeps one alive and
    // asks again before it idles (a Prometheus scrape every few seconds) would hold the
    // server open forever.
    if (closing) response.setHeader('Connection', 'close');
    void handle(request, response);
  });
  // Keep-alive sockets from load generators must not hold shutdown open forever.
  server.keepAliveTimeout = 5_000;
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        closing = true;
        // Connections that were busy when close began idle later; close them as they do, and
        // cut whatever is left after the grace period.
        const sweep = setInterval(() => server.closeIdleConnections(), 200);
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

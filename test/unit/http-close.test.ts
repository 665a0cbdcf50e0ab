import { strict as assert } from 'node:assert';
import { Agent, request } from 'node:http';
import { Router } from '@koa/router';
import { createHttpServer } from '../../src/api/server.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';

/** One GET over `agent`; resolves with the status and the Connection header. */
function get(agent: Agent, port: number): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP server shutdown', () => {
  it('is not held open by a client that keeps a connection alive and keeps asking', async () => {
    // A declared public route: the server refuses undeclared ones.
    const router = new Router();
    // Slow enough that shutdown begins while a request is in flight on the kept-alive socket.
    router.get('/healthz', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ctx.body = 'pong';
    });
    const http = createHttpServer({
      log: createLogger('silent'),
      metrics: createMetrics(),
      routers: [router],
    });
    const { port } = await http.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let asking = true;
    const answers: { status: number; connection?: string }[] = [];
    // A scraper: a request 5 ms after the last answer on the same kept-alive socket, shutdown or not.
    const scraper = (async () => {
      while (asking) {
        answers.push(await get(agent, port).catch(() => ({ status: 0 })));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const started = Date.now();
    await http.close();
    const took = Date.now() - started;
    asking = false;
    await scraper;
    agent.destroy();
    assert.ok(took < 2_000, `close took ${took} ms`);
    assert.ok(answers.some((answer) => answer.status === 200));
    assert.ok(
      answers.every((answer) => answer.status !== 200 || answer.connection !== undefined),
      'every answer says whether the connection stays',
    );
  });
});

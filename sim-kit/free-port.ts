import { createServer } from 'node:net';

/**
 * A local TCP port that was free a moment ago, for a server whose address must be known
 * before it starts (a webhook URL, a Prometheus scrape target, a service process).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

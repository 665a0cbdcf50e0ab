import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from '../../sim-kit/free-port.js';

export interface PrivateRedis {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:<port>`. */
  readonly url: string;
  /** A client for the test itself (not the service under test). */
  client(): Redis;
  /** Stops the server (SIGKILL: nothing is saved anyway); `start` brings it back, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port, for outages the shared Redis must never
 * suffer. No persistence; `args` adds settings such as `--maxmemory-policy allkeys-lru`.
 */
export async function startPrivateRedis(
  options: { password?: string; args?: string[] } = {},
): Promise<PrivateRedis> {
  const port = await freePort();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const url = `redis://${auth}127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];

  async function start(): Promise<void> {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    if (options.password) args.push('--requirepass', options.password);
    const server = spawn('redis-server', [...args, ...(options.args ?? [])], { stdio: 'ignore' });
    child = server;
    // However the test run ends (a failed hook, mocha's --exit), the server ends with it.
    const reap = () => server.kill('SIGKILL');
    process.once('exit', reap);
    server.once('exit', () => process.off('exit', reap));
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch (error) {
          probe.disconnect();
          if (attempt > 50 || server.exitCode !== null) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  async function kill(): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    port,
    url,
    client() {
      const client = new Redis(url);
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async kill() {
      for (const client of clients.splice(0)) client.disconnect();
      await kill();
    },
    start,
  };
}

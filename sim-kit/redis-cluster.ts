import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';

const run = promisify(execFile);

export interface ClusterNode {
  readonly port: number;
  /** Kills the node at once (SIGKILL), as a crashed machine would go. */
  kill(): Promise<void>;
}

export interface LocalRedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `127.0.0.1:<port>,...`: the value for REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  /** A client of the test itself. */
  client(): Cluster;
  /** The node serving `key`'s slot as master now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`local Redis Cluster: ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ask(port: number, ...command: string[]): Promise<string> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(command[0]!, ...command.slice(1)));
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis Cluster of `masters` masters with one replica each, from the local redis-server, on
 * free ports, without persistence. Its nodes end with this process however it ends.
 * `nodeTimeoutMs` is cluster-node-timeout: how long a silent master takes to be failed over.
 */
export async function startRedisCluster(
  options: { masters?: number; nodeTimeoutMs?: number } = {},
): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'tete-redis-cluster-'));
  const taken = new Set<number>();
  const children: ChildProcess[] = [];
  const reapAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', reapAll);
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < masters * 2; i += 1) {
    const port = await freeNodePort(taken);
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
        ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2_000)],
        ...['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    nodes.push({
      port,
      async kill() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      },
    });
  }
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    process.off('exit', reapAll);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const node of nodes) {
      await waitUntil(async () => (await ask(node.port, 'PING')) === 'PONG', 'a node starts');
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
      { timeout: 60_000 },
    );
    for (const node of nodes) {
      await waitUntil(
        async () => (await ask(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
        'every node reports cluster_state:ok',
      );
    }
    // A replica that has not finished its first sync refuses to be promoted, so a master
    // killed before then would leave its slots down: wait until every replica is in sync.
    await waitUntil(async () => {
      const roles = await Promise.all(nodes.map((node) => ask(node.port, 'INFO', 'replication')));
      const synced = roles.filter((info) => info.includes('master_link_status:up'));
      return synced.length === masters;
    }, 'every replica finishes its first sync');
  } catch (error) {
    await stop();
    throw error;
  }
  const seeds = nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  const clients: Cluster[] = [];
  const client = () => {
    const cluster = new Cluster(
      nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      { retryDelayOnFailover: 200, retryDelayOnClusterDown: 200, maxRedirections: 32 },
    );
    cluster.on('error', () => undefined);
    clients.push(cluster);
    return cluster;
  };
  return {
    nodes,
    seeds,
    client,
    async masterOf(key) {
      const probe = client();
      const slot = Number(await probe.cluster('KEYSLOT', key));
      const ranges = await probe.cluster('SLOTS');
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      const node = nodes.find((candidate) => candidate.port === range?.[2]?.[1]);
      if (!node) throw new Error(`no master serves slot ${slot}`);
      return node;
    },
    async stop() {
      for (const cluster of clients.splice(0)) cluster.disconnect();
      await stop();
    },
  };
}

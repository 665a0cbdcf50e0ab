import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startRedisCluster } from '../../sim-kit/redis-cluster.js';

/**
 * The second pass of the suites: starts a local 3-master, 3-replica Redis Cluster, runs mocha
 * with TEST_REDIS_CLUSTER_NODES pointing at it (the service under test and the tests' own
 * clients then use the cluster), and stops every node however the run ends. Arguments are
 * mocha's (the spec globs).
 */
async function main(): Promise<number> {
  const specs = process.argv.slice(2);
  const cluster = await startRedisCluster();
  console.log(`Redis Cluster pass on ${cluster.seeds}`);
  const stopAll = () => void cluster.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const mocha = spawn('npx', ['mocha', ...specs], {
      stdio: 'inherit',
      env: { ...process.env, TEST_REDIS_CLUSTER_NODES: cluster.seeds },
    });
    const [code] = (await once(mocha, 'exit')) as [number | null];
    return code ?? 1;
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

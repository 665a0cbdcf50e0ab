import { readCommandLine } from '../src/startup/command-line.js';
import { exitOnFailure } from '../src/startup/exit-on-failure.js';
import { BENCH_COMMAND, benchConfig } from './bench-command.js';
import { runBench } from './bench-run.js';
import { runClusterBench } from './cluster-bench.js';
import { clusterRows, writeClusterReports } from './cluster-report.js';
import { resultRows, writeReports } from './report.js';

/** `npm run bench [-- --quick]`: runs the matching pipeline benchmark and writes the reports. */
async function main(): Promise<void> {
  const config = benchConfig(readCommandLine(BENCH_COMMAND));
  if (config.cluster) {
    const results = await runClusterBench(config);
    await writeClusterReports(results);
    for (const [figure, single, cluster] of clusterRows(results)) {
      console.log(`${figure}: single ${single}; cluster ${cluster}`);
    }
    console.log('wrote bench/cluster-results.json and bench/CLUSTER-RESULTS.md');
    process.exit(0);
  }
  const results = await runBench(config);
  await writeReports(results);
  for (const [figure, target, measured, met] of resultRows(results)) {
    console.log(`${(met ?? '').padEnd(7)} ${figure}: ${measured} (target ${target})`);
  }
  console.log('wrote bench/results.json and bench/RESULTS.md');
  // Keep-alive sockets of the HTTP agent would hold the process open.
  process.exit(0);
}

main().catch(exitOnFailure('bench failed'));

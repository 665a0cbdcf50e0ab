import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as prettier from 'prettier';
import type { ClusterBenchResults } from './cluster-bench.js';

const git = (args: string[]) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const ms = (value: number) => (Number.isFinite(value) ? `${value} ms` : String(value));

/** The figures of one topology, in the order of the report's columns. */
export function clusterRows(results: ClusterBenchResults): string[][] {
  const [single, cluster] = results.runs.map((run) => run.phase);
  const row = (figure: string, of: (p: NonNullable<typeof single>) => string) => [
    figure,
    of(single!),
    of(cluster!),
  ];
  return [
    row(
      '/find accepted per second',
      (p) => `${p.acceptedPerSecond}/s (${p.findsAccepted} in ${p.seconds} s)`,
    ),
    row(
      'time to proposal, partner waiting: p50 / p99',
      (p) =>
        `${ms(p.timeToProposal.partnerWaiting.p50)} / ${ms(p.timeToProposal.partnerWaiting.p99)} (n=${p.timeToProposal.partnerWaiting.count})`,
    ),
    row(
      'time to proposal, every first proposal: p50 / p99',
      (p) =>
        `${ms(p.timeToProposal.allFirstProposals.p50)} / ${ms(p.timeToProposal.allFirstProposals.p99)}`,
    ),
    row('/find HTTP answer: p50 / p99', (p) => `${ms(p.findHttpMs.p50)} / ${ms(p.findHttpMs.p99)}`),
    row('stream lag at end of load', (p) => ms(p.streamAtEnd.lagMs)),
    row('double-booked users', (p) => String(p.doubleBookedUsers)),
    row('lost requests', (p) => `${p.lostRequests} of ${p.findsAccepted}`),
    row('CPU per accepted /find, all processes', (p) => ms(p.cpuMsPerFind)),
    row(
      'load average at start → end',
      (p) => `${p.loadAverage.atStart.join(', ')} → ${p.loadAverage.atEnd.join(', ')}`,
    ),
  ];
}

/** Writes bench/cluster-results.json and bench/CLUSTER-RESULTS.md. */
export async function writeClusterReports(results: ClusterBenchResults): Promise<void> {
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain']) !== '';
  const full = { ...results, git: { commit, dirty }, machine: { cpus: os.cpus().length } };
  await writeFile('bench/cluster-results.json', `${JSON.stringify(full, null, 2)}\n`);
  const c = results.config;
  const md = [
    '# Benchmark results: single Redis and Redis Cluster, roles in separate processes',
    '',
    `Run ${results.startedAt} on commit \`${commit.slice(0, 10)}\`${dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${full.machine.cpus} cores shared by PostgreSQL, Redis, the service and the load generator. ` +
      `Both columns come from this one run (\`npm run bench -- --cluster\`), one after the other, with the same ` +
      `${c.users} users, ${c.rate} /find a second for ${c.durationSeconds} s and the same behaviour; ` +
      `the service runs as ${results.runs[0]!.processes.join(', ')} (one process each). ` +
      'The cluster is local: 3 masters and 3 replicas on this same machine, so it shows that the ' +
      'service works on a cluster and what the hops cost, not more capacity. See `bench/README.md`.',
    '',
    '| figure | single Redis | Redis Cluster |',
    '| --- | --- | --- |',
    ...clusterRows(results).map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
  const options = (await prettier.resolveConfig('bench/CLUSTER-RESULTS.md')) ?? {};
  await writeFile(
    'bench/CLUSTER-RESULTS.md',
    await prettier.format(md, { ...options, filepath: 'bench/CLUSTER-RESULTS.md' }),
  );
}

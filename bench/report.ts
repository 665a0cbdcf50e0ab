import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as prettier from 'prettier';
import type { BenchResults } from './bench-run.js';
import { round } from './stats.js';

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (value: number, unit = '') =>
  Number.isFinite(value) ? `${value}${unit}` : String(value);
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(2)}%` : 'n/a');
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

/** The pipeline's own cost: the whole lifecycle's CPU, and the bare database work beside it. */
function costRows(r: BenchResults): string[][] {
  const { bare, main } = r;
  const life = main.lifecycle;
  const ratio = main.acceptedPerSecond / bare.perSecond;
  return [
    [
      `bare database work, same run: search_start + match_process_search (+ second chance), ${bare.clients} clients`,
      '—',
      `${bare.perSecond}/s (${bare.findsAccepted} in ${bare.seconds} s, ${bare.matches} matches); PostgreSQL CPU ${fmt(bare.backendCpuMsPerFind, ' ms')} per /find, client ${fmt(bare.clientCpuMsPerFind, ' ms')}`,
      '—',
    ],
    [
      'pipeline / bare database throughput (main phase accepted per second / bare per second)',
      '≥ 50%',
      `${pct(ratio)} (${main.acceptedPerSecond}/s / ${bare.perSecond}/s)`,
      yes(ratio >= 0.5),
    ],
    [
      'CPU per accepted /find over the whole lifecycle, main phase, without the load generator',
      '≤ 8 ms',
      `${fmt(life.serviceCpuMsPerFind, ' ms')} (with the load generator ${fmt(life.allCpuMsPerFind, ' ms')}; read ${life.afterLoadSeconds} s after the load): ${life.perProcess.map((p) => `${p.name} ${p.cpuMsPerFind}`).join(', ')} ms`,
      yes(life.serviceCpuMsPerFind <= 8),
    ],
  ];
}

/** The figure/target/measured/met table of RESULTS.md. */
export function resultRows(r: BenchResults): string[][] {
  const m = r.main;
  const t = m.timeToProposal;
  const rssLine = r.processes.map((p) => `${p.name} ${p.peakRssMiB} MiB`).join('; ');
  return [
    [
      '/find accepted per second (main phase)',
      `${r.config.rate}/s for 300 s`,
      `${m.acceptedPerSecond}/s over the ${m.seconds} s it took to accept what was sent in ${m.scheduledSeconds} s (worst 10 s: ${fmt(m.worst10sWindowPerSecond)}/s)`,
      yes(m.acceptedPerSecond >= r.config.rate * 0.98 && m.scheduledSeconds >= 300),
    ],
    [
      'stream lag at end of load',
      '< 1 s',
      `${m.streamAtEnd.lagMs} ms, ${m.streamAtEnd.pending} pending, ${m.streamAtEnd.undelivered} undelivered`,
      yes(m.streamAtEnd.lagMs < 1000),
    ],
    [
      'time to proposal, partner waiting: p50',
      '≤ 20 ms',
      `${fmt(t.partnerWaiting.p50, ' ms')} (n=${t.partnerWaiting.count})`,
      yes(t.partnerWaiting.p50 <= 20),
    ],
    ['time to proposal, partner waiting: p95', '—', fmt(t.partnerWaiting.p95, ' ms'), '—'],
    [
      'time to proposal, partner waiting: p99',
      '≤ 100 ms',
      fmt(t.partnerWaiting.p99, ' ms'),
      yes(t.partnerWaiting.p99 <= 100),
    ],
    [
      'time to proposal, every first proposal (incl. waiting): p50 / p95 / p99',
      '—',
      `${fmt(t.allFirstProposals.p50)} / ${fmt(t.allFirstProposals.p95)} / ${fmt(t.allFirstProposals.p99)} ms`,
      '—',
    ],
    [
      'compatible partner waiting (probed) → proposal within 1 s',
      '≥ 99%',
      `${pct(t.probe.share)} of ${t.probe.partnerWaiting} probed`,
      yes(t.probe.share >= 0.99),
    ],
    [
      'sql_match_select_ms, main phase: p50 / p99',
      '—',
      `≤ ${m.selectMs.p50.atMost} / ≤ ${m.selectMs.p99.atMost} ms (est. ${m.selectMs.p50.estimate} / ${m.selectMs.p99.estimate})`,
      '—',
    ],
    [
      `sql_match_select_ms with ${r.poolPhase.poolBefore} waiting: p50 / p99`,
      'p99 ≤ 10 ms with 10,000 waiting',
      `≤ ${r.poolPhase.selectMs.p50.atMost} / ≤ ${r.poolPhase.selectMs.p99.atMost} ms (est. ${r.poolPhase.selectMs.p50.estimate} / ${r.poolPhase.selectMs.p99.estimate}; n=${r.poolPhase.selectMs.count})`,
      yes(r.poolPhase.poolBefore >= 10_000 && r.poolPhase.selectMs.p99.atMost <= 10),
    ],
    [
      'selection vs the sprint SQL (medians)',
      '—',
      `ours ${r.poolPhase.sprintComparison.oursMs.median} ms vs sprint ${r.poolPhase.sprintComparison.sprintMs.median} ms: ${r.poolPhase.sprintComparison.speedup}× faster`,
      '—',
    ],
    ['double-booked users', '0', String(m.doubleBookedUsers), yes(m.doubleBookedUsers === 0)],
    [
      'lost requests',
      `0 over ≥ 100,000 /find`,
      `${m.lostRequests} of ${m.findsAccepted} accepted`,
      yes(m.lostRequests === 0 && m.findsAccepted >= 100_000),
    ],
    [
      `light phase (${r.light.rate}/s): time to proposal, partner waiting: p50 / p95 / p99`,
      'p50 ≤ 20 ms, p99 ≤ 100 ms',
      `${fmt(r.light.timeToProposal.partnerWaiting.p50)} / ${fmt(r.light.timeToProposal.partnerWaiting.p95)} / ${fmt(r.light.timeToProposal.partnerWaiting.p99)} ms (n=${r.light.timeToProposal.partnerWaiting.count}); within 1 s when probed: ${pct(r.light.timeToProposal.probe.share)} of ${r.light.timeToProposal.probe.partnerWaiting}`,
      yes(
        r.light.timeToProposal.partnerWaiting.p50 <= 20 &&
          r.light.timeToProposal.partnerWaiting.p99 <= 100,
      ),
    ],
    [
      'CPU per accepted /find, all processes (main phase)',
      `≤ ${round(2000 / r.config.rate, 1)} ms for ${r.config.rate}/s on 2 cores`,
      `${fmt(m.cpuMsPerFind, ' ms')}: ${m.cpu.map((p) => `${p.name} ${p.seconds} s`).join(', ')}`,
      yes(m.cpuMsPerFind <= 2000 / r.config.rate),
    ],
    ['peak RSS (VmHWM)', '—', rssLine, '—'],
    ...costRows(r),
  ];
}

/** Writes bench/results.json and bench/RESULTS.md (formatted as the repository's prettier wants). */
export async function writeReports(results: BenchResults): Promise<void> {
  const full = {
    ...results,
    git: { commit: git(['rev-parse', 'HEAD']), dirty: git(['status', '--porcelain']) !== '' },
    machine: { cpus: os.cpus().length, node: process.version, loadAverageAtEnd: os.loadavg() },
  };
  await writeFile('bench/results.json', `${JSON.stringify(full, null, 2)}\n`);
  const rows = resultRows(results);
  const c = results.poolPhase.sprintComparison;
  const md = [
    '# Benchmark results',
    '',
    `Run ${results.startedAt} on commit \`${full.git.commit.slice(0, 10)}\`${full.git.dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${full.machine.cpus} cores shared by PostgreSQL, Redis, the service and the load generator` +
      `${results.config.quick ? '; **--quick run: not the target configuration**' : ''}` +
      `${results.config.asyncCommit ? '; **--async-commit: synchronous_commit = off**' : ''}` +
      `${results.maintenance.standIn ? `; the server's autovacuum is off, so the benchmark ran VACUUM (ANALYZE) of the service's tables once a minute (${results.maintenance.passes} times; its CPU is "vacuum", counted with the service)` : ''}. ` +
      `Load average at the end: ${full.machine.loadAverageAtEnd.map((v) => v.toFixed(2)).join(', ')}. ` +
      'All figures are measured in this one run; see `bench/results.json` for everything, and `bench/README.md` for what each figure means.',
    '',
    '| figure | target | measured | met? |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',

    `Load averages (1/5/15 min) at the start and end of the light phase: ${results.light.loadAverage.atStart.join(', ')} → ${results.light.loadAverage.atEnd.join(', ')}; of the main phase: ${results.main.loadAverage.atStart.join(', ')} → ${results.main.loadAverage.atEnd.join(', ')}. ` +
      `The service's CPU use with no load, per second: ${results.idleCpuPerSecond.map((p) => `${p.name} ${p.seconds} s`).join(', ')}.`,
    '',
    `Sprint SQL comparison: ${c.sampleUsers} users, the sprint's statement over all ${c.usersTable} users versus our selection over ${c.waitingPool} waiting users.`,
    '',
    ...functionTable(results),
  ].join('\n');
  const options = (await prettier.resolveConfig('bench/RESULTS.md')) ?? {};
  await writeFile(
    'bench/RESULTS.md',
    await prettier.format(md, { ...options, filepath: 'bench/RESULTS.md' }),
  );
}

/** `--pg-functions`: where PostgreSQL spent its time over the main phase's lifecycle. */
function functionTable(results: BenchResults): string[] {
  if (!results.pgFunctions) return [];
  return [
    '## Time inside SQL functions (`--pg-functions`), main phase and its lifecycle',
    '',
    'Wall time inside each function as its backend saw it (waits included), per accepted /find.',
    '',
    '| function | calls | self ms per /find | with callees | self ms per call |',
    '| --- | --- | --- | --- | --- |',
    ...results.pgFunctions.map(
      (f) =>
        `| \`${f.name}\` | ${f.calls} | ${f.selfMsPerFind} | ${f.totalMsPerFind} | ${f.selfMsPerCall} |`,
    ),
    '',
  ];
}

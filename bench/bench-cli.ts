import { parseArgs } from './bench-config.js';
import { runBench } from './bench-run.js';
import { resultRows, writeReports } from './report.js';

/** `npm run bench [-- --quick]`: runs the matching pipeline benchmark and writes the reports. */
async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const results = await runBench(config);
  await writeReports(results);
  for (const [figure, target, measured, met] of resultRows(results)) {
    console.log(`${(met ?? '').padEnd(7)} ${figure}: ${measured} (target ${target})`);
  }
  console.log('wrote bench/results.json and bench/RESULTS.md');
  // Keep-alive sockets of the HTTP agent would hold the process open.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { readCommandLine } from '../src/startup/command-line.js';
import { exitOnFailure } from '../src/startup/exit-on-failure.js';
import { startPrometheus } from './prometheus-runner.js';
import { formatMarkdown, renderAcceptance } from './acceptance-report.js';
import { capacitySections, replaceSection } from './capacity.js';
import { runSandbox } from './sandbox-runner.js';
import { SANDBOX_DEFAULTS, sandboxCommand } from './sandbox-options.js';

const COMMAND = sandboxCommand('npm run acceptance --', {
  ...SANDBOX_DEFAULTS,
  users: 400,
  duration: 600,
});

/**
 * `npm run acceptance`: the sprint's acceptance run. The sandbox at ~2 /find per second for
 * a fixed time, a real Prometheus evaluating the alert rules when it is installed, and the
 * figures written to bench/ACCEPTANCE.md.
 */
async function run(): Promise<void> {
  const options = readCommandLine(COMMAND);
  const config = loadConfig();
  const startedAt = new Date();
  const sandboxRun = await runSandbox(config, options);
  let onboardedAt: number | undefined;
  void sandboxRun.sandbox.ready.then(
    (everyone) => {
      if (everyone) onboardedAt = Date.now();
    },
    () => undefined,
  );
  const prometheus = await startPrometheus({
    target: `127.0.0.1:${sandboxRun.sandbox.app.address.port}`,
    rulesDir: 'grafana/prometheus/rules',
  });
  sandboxRun.console.line(
    prometheus
      ? `Prometheus ${prometheus.version} at ${prometheus.url} evaluates the alert rules`
      : 'Prometheus is not installed; alerts are not evaluated (apt-get install prometheus)',
  );
  const onSignal = () => void sandboxRun.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const figures = await sandboxRun.finished;
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const alerts = prometheus
    ? { rules: await prometheus.alertRules(), fired: await prometheus.firedAlerts(seconds) }
    : undefined;
  await prometheus?.stop();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  } catch {
    // not a git checkout
  }
  await mkdir('bench', { recursive: true });
  const report = renderAcceptance({
    figures,
    options,
    startedAt,
    seconds,
    onboardedSeconds:
      onboardedAt === undefined ? undefined : (onboardedAt - startedAt.getTime()) / 1000,
    commit,
    alerts,
    prometheus: prometheus?.version,
  });
  // The capacity runs' sections (npm run capacity) stay: they are measured separately.
  const previous = await readFile('bench/ACCEPTANCE.md', 'utf8').catch(() => '');
  const kept = capacitySections(previous).reduce(replaceSection, report);
  await writeFile('bench/ACCEPTANCE.md', await formatMarkdown('bench/ACCEPTANCE.md', kept));
  sandboxRun.console.line('\nWrote bench/ACCEPTANCE.md');
  process.exit(0);
}

run().catch(exitOnFailure('acceptance run failed'));

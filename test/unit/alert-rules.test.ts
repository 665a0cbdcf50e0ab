import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import {
  allPanels,
  loadAlerts,
  loadDashboard,
  loadRuleGroups,
  ruleFilePaths,
  ruleTestPaths,
  withoutGrafanaVariables,
} from '../helpers/monitoring.js';

const run = promisify(execFile);

const INSTALL_HINT =
  'promtool is not installed. It checks and unit-tests the Prometheus alert rules. Install it ' +
  'with `apt-get install -y --no-install-recommends prometheus` (Debian/Ubuntu: it provides ' +
  '/usr/bin/promtool), or put the promtool binary from https://prometheus.io/download/ on PATH.';

/** Runs promtool and returns its output; fails the test with that output when it fails. */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') assert.fail(INSTALL_HINT);
    assert.fail(
      `promtool ${args.join(' ')} failed (exit code ${String(failure.code)}):\n` +
        `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    );
  }
}

interface RuleTestFile {
  rule_files: string[];
  group_eval_order?: string[];
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[];
  }[];
}

describe('Prometheus alert rules (promtool)', function () {
  this.timeout(60_000);
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tete-rules-'));
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('every rule file passes promtool check rules', async () => {
    const files = ruleFilePaths();
    assert.ok(files.length > 0, 'no rule files found');
    for (const file of files) {
      const output = await promtool('check', 'rules', file);
      assert.match(output, /SUCCESS/, output);
    }
  });

  it('every promtool unit test file passes promtool test rules', async () => {
    const files = ruleTestPaths();
    assert.ok(files.length > 0, 'no promtool test files found');
    for (const file of files) {
      const output = await promtool('test', 'rules', file);
      assert.match(output, /SUCCESS/, output);
      assert.doesNotMatch(output, /FAILED/, output);
    }
  });

  it('the unit tests load every rule file, by paths relative to the test file', () => {
    const expected = ruleFilePaths().map((path) => resolve(path));
    const groups = loadRuleGroups().map((group) => group.name);
    for (const file of ruleTestPaths()) {
      const spec = parse(readFileSync(file, 'utf8')) as RuleTestFile;
      const loaded = spec.rule_files.map((path) => resolve(dirname(file), path));
      assert.deepEqual([...loaded].sort(), [...expected].sort(), `${file} rule_files`);
      // Without a fixed order promtool evaluates groups in random order, and an alert could
      // read a recording rule's value from the previous evaluation.
      assert.deepEqual([...(spec.group_eval_order ?? [])].sort(), [...groups].sort(), file);
    }
  });

  it('every alert has a case where it fires and a case where it must not', () => {
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of ruleTestPaths()) {
      const spec = parse(readFileSync(file, 'utf8')) as RuleTestFile;
      for (const test of spec.tests) {
        for (const check of test.alert_rule_test ?? []) {
          ((check.exp_alerts ?? []).length > 0 ? firing : quiet).add(check.alertname);
        }
      }
    }
    for (const { alert } of loadAlerts()) {
      assert.ok(firing.has(alert), `${alert} has no test case where it fires`);
      assert.ok(quiet.has(alert), `${alert} has no test case where it must stay quiet`);
    }
  });

  it('the Prometheus config finds the rules where docker compose mounts them', async () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
      services: { prometheus: { volumes: string[] } };
    };
    assert.ok(
      compose.services.prometheus.volumes.includes('./grafana/prometheus:/etc/prometheus:ro'),
      'prometheus no longer mounts ./grafana/prometheus at /etc/prometheus',
    );
    const config = readFileSync('grafana/prometheus/prometheus.yml', 'utf8');
    assert.match(config, /- \/etc\/prometheus\/rules\/\*\.yml/);
    // Outside the container /etc/prometheus/rules is empty: point the same glob at the
    // repository, so check config loads and checks the real rule files.
    const localConfig = join(scratch, 'prometheus.yml');
    writeFileSync(
      localConfig,
      config.replace('/etc/prometheus/rules/*.yml', `${resolve('grafana/prometheus/rules')}/*.yml`),
    );
    const output = await promtool('check', 'config', localConfig);
    assert.match(output, new RegExp(`SUCCESS: ${ruleFilePaths().length} rule files found`), output);
  });

  it('every dashboard query is valid PromQL', async () => {
    const rules = allPanels(loadDashboard()).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        record: `dashboard:panel_${panel.id}:${target.refId}`,
        expr: withoutGrafanaVariables(target.expr),
      })),
    );
    assert.ok(rules.length > 20, `only ${rules.length} dashboard queries found`);
    const file = join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const output = await promtool('check', 'rules', file);
    assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`), output);
  });
});

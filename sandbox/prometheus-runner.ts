import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../sim-kit/free-port.js';

export interface PrometheusRun {
  url: string;
  version: string;
  /** Every alert that was firing at any evaluation since the start, with when. */
  firedAlerts(sinceSeconds: number): Promise<{ alertname: string; firstSeen: string }[]>;
  /** The loaded alert rules and whether Prometheus evaluated each without error. */
  alertRules(): Promise<{ name: string; health: string }[]>;
  stop(): Promise<void>;
}

async function version(binary: string): Promise<string | null> {
  return new Promise((done) => {
    const child = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code === 0 ? (text.split('\n')[0] ?? '').trim() : null));
  });
}

/**
 * Starts a real Prometheus (Debian's `prometheus` package) that scrapes `target` every 5 s
 * as job "tete" and evaluates the project's alert rules. Null when it is not installed.
 */
export async function startPrometheus(options: {
  target: string;
  rulesDir: string;
  binary?: string;
}): Promise<PrometheusRun | null> {
  const binary = options.binary ?? 'prometheus';
  const found = await version(binary);
  if (!found) return null;
  const dir = await mkdtemp(join(tmpdir(), 'tete-prometheus-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 5s, evaluation_interval: 5s }',
      `rule_files: ['${resolve(options.rulesDir)}/*.yml']`,
      'scrape_configs:',
      '  - job_name: tete',
      `    static_configs: [{ targets: ['${options.target}'] }]`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(200);
  }
  return {
    url,
    version: found,
    async firedAlerts(sinceSeconds) {
      const end = Date.now() / 1000;
      const query = new URLSearchParams({
        query: 'ALERTS{alertstate="firing"}',
        start: String(end - sinceSeconds),
        end: String(end),
        step: '5',
      });
      const response = await fetch(`${url}/api/v1/query_range?${query.toString()}`);
      const body = (await response.json()) as {
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      return body.data.result.map((series) => ({
        alertname: series.metric.alertname ?? '?',
        firstSeen: new Date((series.values[0]?.[0] ?? 0) * 1000).toISOString(),
      }));
    },
    async alertRules() {
      const response = await fetch(`${url}/api/v1/rules?type=alert`);
      const body = (await response.json()) as {
        data: { groups: { rules: { name: string; health: string }[] }[] };
      };
      return body.data.groups.flatMap((group) =>
        group.rules.map((rule) => ({ name: rule.name, health: rule.health })),
      );
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from './bench-config.js';
import { freePort } from '../sim-kit/free-port.js';

export interface ServiceProcess {
  name: string;
  roles: string;
  port: number;
  child: ChildProcess;
  pid: number;
  /** stdout and stderr, last 64 KiB: warnings and errors only at LOG_LEVEL=warn. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface ProcessSample {
  /** Peak resident set size (VmHWM), KiB. */
  peakRssKb: number;
  rssKb: number;
  /** User plus system CPU time, seconds. */
  cpuSeconds: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux x86-64

/** Reads VmHWM, VmRSS and CPU time of a process from /proc; null once it has exited. */
export async function sampleProcess(pid: number): Promise<ProcessSample | null> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssKb: kb('VmHWM'), rssKb: kb('VmRSS'), cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}

export interface SpawnOptions {
  name: string;
  roles: string;
  port: number;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

/** Starts `dist/src/main.js` with exactly `env` plus ROLES and PORT; resolves once /healthz answers. */
export async function startServiceProcess(options: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--enable-source-maps', 'dist/src/main.js'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...options.env,
        ROLES: options.roles,
        PORT: String(options.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${options.name} exited (${child.exitCode}) while starting:\n${text}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${options.port}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not become healthy in 60 s:\n${text}`);
    }
    await sleep(200);
  }
  return {
    name: options.name,
    roles: options.roles,
    port: options.port,
    child,
    pid: child.pid!,
    output: () => text,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One process's /metrics text. */
export async function scrapeMetrics(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return response.text();
}

/**
 * The service as the benchmark runs it: one api+timers process and `config.matchers` matcher
 * processes, each pushed on `children` as soon as it is up, so that the caller can stop what
 * started even when a later one fails.
 */
export async function startBenchService(
  config: Pick<BenchConfig, 'cpuProfile' | 'apiPoolSize' | 'matcherPoolSize' | 'matchers'>,
  env: Record<string, string>,
  children: ServiceProcess[],
): Promise<{ apiPort: number; matcherPorts: number[] }> {
  const profile = config.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir=bench/.tmp/profiles'] : [];
  const apiPort = await freePort();
  children.push(
    await startServiceProcess({
      name: 'api+timers',
      roles: 'api,timers',
      port: apiPort,
      env: { ...env, DATABASE_POOL_SIZE: String(config.apiPoolSize) },
      nodeFlags: profile,
    }),
  );
  const matcherPorts: number[] = [];
  for (let i = 1; i <= config.matchers; i += 1) {
    const port = await freePort();
    matcherPorts.push(port);
    children.push(
      await startServiceProcess({
        name: `matcher ${i}`,
        roles: 'matcher',
        port,
        env: { ...env, DATABASE_POOL_SIZE: String(config.matcherPoolSize) },
        nodeFlags: profile,
      }),
    );
  }
  return { apiPort, matcherPorts };
}

import type pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import { sampleProcess, type ProcessSample } from './service-processes.js';
import { BENCH_DB_NAME, HARNESS_APPLICATION } from './bench-db.js';
import { VACUUM_APPLICATION } from './maintenance.js';

/** The process groups that are the load generator, not the service. */
const HARNESS = 'harness';
const HARNESS_BACKENDS = 'harness backends';
export const LOAD_GENERATOR: readonly string[] = [HARNESS, HARNESS_BACKENDS];

/** The harness's own connections, the stand-in for autovacuum, or the service's. */
function backendGroup(applicationName: string): string {
  if (applicationName === HARNESS_APPLICATION) return HARNESS_BACKENDS;
  if (applicationName === VACUUM_APPLICATION) return 'vacuum';
  return 'postgres backends';
}

export interface ProcessFigures {
  name: string;
  pids: number[];
  /** Highest VmHWM seen among the group's processes, MiB. */
  peakRssMiB: number;
  /** CPU seconds the group used between mark() and the last sample. */
  cpuSeconds: number;
}

/**
 * Samples peak RSS (VmHWM) and CPU time of the service processes, the harness, Redis and
 * the PostgreSQL backends serving the benchmark database (the harness's own apart, by their
 * `application_name`), every two seconds. A backend's
 * VmHWM counts the shared buffers it touched, so it overstates what that backend owns.
 */
export function createResourceMonitor(deps: {
  processes: () => { name: string; pid: number }[];
  db: pg.Pool;
  redis: RedisClient;
}) {
  const last = new Map<number, { name: string; sample: ProcessSample }>();
  const marked = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let redisPid = 0;

  async function targets(): Promise<{ name: string; pid: number }[]> {
    const list = [...deps.processes(), { name: HARNESS, pid: process.pid }];
    if (!redisPid) {
      const info = await deps.redis.info('server');
      redisPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
    }
    if (redisPid) list.push({ name: 'redis-server', pid: redisPid });
    const backends = await deps.db.query<{ pid: number; application_name: string }>(
      'SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1',
      [BENCH_DB_NAME],
    );
    for (const row of backends.rows)
      list.push({ name: backendGroup(row.application_name), pid: row.pid });
    return list;
  }

  async function sample(): Promise<void> {
    for (const { name, pid } of await targets()) {
      const result = await sampleProcess(pid);
      if (!result) continue;
      const previous = last.get(pid);
      const peak = Math.max(result.peakRssKb, previous?.sample.peakRssKb ?? 0);
      last.set(pid, { name, sample: { ...result, peakRssKb: peak } });
      if (!marked.has(pid)) marked.set(pid, result.cpuSeconds);
    }
  }

  return {
    start() {
      const tick = () => {
        void sample()
          .catch(() => undefined)
          .finally(() => (timer = setTimeout(tick, 2_000)));
      };
      tick();
    },
    sample,
    /** Starts counting CPU time from now (the measured phase). */
    async mark(): Promise<void> {
      await sample();
      for (const [pid, entry] of last) marked.set(pid, entry.sample.cpuSeconds);
    },
    stop() {
      clearTimeout(timer);
    },
    figures(): ProcessFigures[] {
      const groups = new Map<string, ProcessFigures>();
      for (const [pid, { name, sample: s }] of last) {
        const group = groups.get(name) ?? { name, pids: [], peakRssMiB: 0, cpuSeconds: 0 };
        group.pids.push(pid);
        group.peakRssMiB = Math.max(group.peakRssMiB, Math.round((s.peakRssKb / 1024) * 10) / 10);
        group.cpuSeconds =
          Math.round((group.cpuSeconds + s.cpuSeconds - (marked.get(pid) ?? s.cpuSeconds)) * 10) /
          10;
        groups.set(name, group);
      }
      return [...groups.values()];
    },
  };
}

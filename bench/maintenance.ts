import pg from 'pg';
import { withApplicationName } from '../src/db/pool.js';

/** The maintenance connection's name; the resource monitor counts it with the service. */
export const VACUUM_APPLICATION = 'tete-bench-vacuum';

/** The tables the service writes as people search, are proposed to and chat. */
const BUSY_TABLES = [
  'searches',
  'waiting_pool',
  'matches',
  'engagements',
  'recent_contacts',
  'chat_sessions',
  'standing_requests',
];

/** autovacuum_naptime's default: how often autovacuum visits a database. */
const INTERVAL_MS = 60_000;

export interface Maintenance {
  /** Whether the server's autovacuum was off, so the benchmark does its work. */
  readonly standIn: boolean;
  readonly passes: number;
  /** Why the last pass that failed did, if one did. */
  readonly lastError: string | undefined;
  stop(): Promise<void>;
}

/**
 * A database in service has autovacuum: dead rows are cleared and statistics follow the
 * tables as they grow. A server with autovacuum off (CI servers often run so) keeps both as
 * they were when the run began, so sessions keep the sequential scans they planned for
 * tables of a page or two, over tables that have grown a hundredfold, and the figures
 * describe no real deployment. When the server's autovacuum is off, this does its work:
 * VACUUM (ANALYZE) of the tables the service writes once a minute, on a connection of its
 * own. Its backend's CPU is counted with the service's, as autovacuum's would be.
 */
export async function startMaintenance(
  url: string,
  intervalMs = INTERVAL_MS,
): Promise<Maintenance> {
  const client = new pg.Client({ connectionString: withApplicationName(url, VACUUM_APPLICATION) });
  await client.connect();
  const setting = await client.query<{ autovacuum: string }>('SHOW autovacuum');
  const standIn = setting.rows[0]?.autovacuum !== 'on';
  let passes = 0;
  let lastError: string | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    await client.query(`VACUUM (ANALYZE) ${BUSY_TABLES.join(', ')}`);
    passes += 1;
  };
  const timer = standIn
    ? setInterval(() => {
        running = running.then(pass).catch((error: unknown) => {
          lastError = (error as Error).message;
        });
      }, intervalMs)
    : undefined;
  return {
    standIn,
    get passes() {
      return passes;
    },
    get lastError() {
      return lastError;
    },
    async stop() {
      clearInterval(timer);
      await running;
      await client.end();
    },
  };
}

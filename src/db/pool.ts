import {
  createPool,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
  type DriverTypeParser,
} from 'slonik';

export type { DatabasePool };

/**
 * Rows of `sql.type(schema)` queries are validated by this interceptor; without it slonik
 * only types them. A row that does not match its schema fails the query.
 */
const resultParser: Interceptor = {
  name: 'tete.result-parser',
  transformRow: (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const parsed = parser.safeParse(row);
    if (!parsed.success) throw new SchemaValidationError(query, row, parsed.error.issues);
    return parsed.data as Record<string, never>;
  },
};

// Ids are bigint in the schema but stay well inside 2^53, so they are plain numbers here.
const typeParsers: readonly DriverTypeParser[] = [
  { name: 'int8', parse: (value) => toSafeNumber(value) },
  { name: 'numeric', parse: (value) => Number.parseFloat(value) },
  { name: 'timestamptz', parse: (value) => new Date(value) },
  { name: 'timestamp', parse: (value) => new Date(`${value}Z`) },
];

function toSafeNumber(value: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`int8 value ${value} exceeds 2^53`);
  return result;
}

export interface DbPoolOptions {
  url: string;
  /** Connections kept open; each role adds its own load, so size it per process. */
  size: number;
  /**
   * Shown in `pg_stat_activity`, so an operator (or the benchmark) can tell which process a
   * backend serves. An `application_name` already in the URL wins.
   */
  applicationName?: string;
}

/** The URL with `application_name` set, unless it names one already. */
export function withApplicationName(url: string, name: string | undefined): string {
  if (!name) return url;
  const parsed = new URL(url);
  if (parsed.searchParams.has('application_name')) return url;
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

export async function createDbPool(options: DbPoolOptions): Promise<DatabasePool> {
  return createPool(withApplicationName(options.url, options.applicationName), {
    interceptors: [resultParser],
    typeParsers,
    maximumPoolSize: options.size,
    connectionTimeout: 5_000,
    idleTimeout: 30_000,
    statementTimeout: 15_000,
    captureStackTrace: false,
    // slonik's default runs DISCARD ALL on every release: a round trip per query. The service
    // keeps no session state (no SET, no temp tables), so there is nothing to reset.
    resetConnection: async () => {},
  });
}

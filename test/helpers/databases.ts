import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { RUN_ID, SERVER_PG_URL, prepareServices } from './services.js';

const created: string[] = [];
let counter = 0;
// A migrated database nobody connects to, so it can always be copied.
const TEMPLATE = `tete_test_${RUN_ID}_template`;
let template: Promise<void> | undefined;

/**
 * A fresh, migrated database of its own (a copy of this run's template database), for a
 * suite that must not see other suites' users in the waiting pool. Dropped at the end of the run.
 */
export async function createScratchDatabase(): Promise<string> {
  await prepareServices();
  template ??= migrate({ databaseUrl: `${SERVER_PG_URL}/${TEMPLATE}` }).then(() => {
    created.push(TEMPLATE);
  });
  await template;
  counter += 1;
  const name = `tete_test_${RUN_ID}_s${counter}`;
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    // The template must have no other connections while it is copied; the migration's
    // connection may still be closing.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.query(
          `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(TEMPLATE)}`,
        );
        break;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await client.end();
  }
  created.push(name);
  return `${SERVER_PG_URL}/${name}`;
}

export async function dropScratchDatabases(): Promise<void> {
  if (!created.length) return;
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    for (const name of created.splice(0).reverse()) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/** Drops a database this run created, closing its connections. */
export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER_PG_URL}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Runs one statement on its own connection and returns its rows. */
export async function queryOnce<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

import { strict as assert } from 'node:assert';
import pg from 'pg';
import { startMaintenance } from '../../bench/maintenance.js';
import { createScratchDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

/** The benchmark stands in for autovacuum on a server that runs without it (PostgreSQL). */
describe('bench: the stand-in for autovacuum (PostgreSQL)', function () {
  this.timeout(30_000);

  it('vacuums and analyzes the service tables while the server does not', async () => {
    const url = await createScratchDatabase();
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const server = await db.query<{ autovacuum: string }>('SHOW autovacuum');
      const maintenance = await startMaintenance(url, 200);
      try {
        assert.equal(maintenance.standIn, server.rows[0]!.autovacuum !== 'on');
        if (!maintenance.standIn) return;
        await eventually(async () => {
          const tables = await db.query<{ relname: string }>(
            `SELECT relname FROM pg_stat_user_tables
             WHERE relname IN ('searches', 'matches', 'recent_contacts')
               AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL`,
          );
          assert.equal(maintenance.lastError, undefined);
          assert.equal(tables.rowCount, 3);
          return true;
        });
        const named = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'tete-bench-vacuum'`,
        );
        assert.equal(Number(named.rows[0]!.n), 1);
      } finally {
        await maintenance.stop();
      }
      assert.ok(maintenance.passes >= 1);
    } finally {
      await db.end();
    }
  });
});

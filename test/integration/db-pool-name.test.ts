import { strict as assert } from 'node:assert';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDbPool, withApplicationName } from '../../src/db/pool.js';
import { createScratchDatabase } from '../helpers/databases.js';

/** Each process names its PostgreSQL connections, so pg_stat_activity tells them apart. */
describe('database pool: application_name (PostgreSQL)', function () {
  this.timeout(30_000);
  const pools: DatabasePool[] = [];
  let url: string;

  before(async () => (url = await createScratchDatabase()));
  after(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  const nameSeenBy = async (pool: DatabasePool) => {
    pools.push(pool);
    return pool.oneFirst(
      sql.type(z.object({ name: z.string() }))`
        SELECT application_name AS name FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
    );
  };

  it('names the connections after the roles given', async () => {
    const pool = await createDbPool({ url, size: 1, applicationName: 'tete-api+timers' });
    assert.equal(await nameSeenBy(pool), 'tete-api+timers');
  });

  it('keeps an application_name the operator put in the URL', async () => {
    const named = `${url}?application_name=ops-name`;
    assert.equal(withApplicationName(named, 'tete-bot'), named);
    const pool = await createDbPool({ url: named, size: 1, applicationName: 'tete-bot' });
    assert.equal(await nameSeenBy(pool), 'ops-name');
  });

  it('keeps the other parameters of the URL', () => {
    assert.equal(
      withApplicationName('postgres:///tete?host=/var/run/postgresql', 'tete-matcher'),
      'postgres:///tete?host=%2Fvar%2Frun%2Fpostgresql&application_name=tete-matcher',
    );
    assert.equal(withApplicationName('postgres://db/tete', undefined), 'postgres://db/tete');
  });
});

import pg from 'pg';
import { benchDbUrl } from './bench-db.js';
import { defaultConfig } from './bench-config.js';
import { createRandom } from '../sim-kit/random.js';
import { generatePopulation, mutuallyIncompatible } from './population.js';
import { round } from './stats.js';

/**
 * `npx tsx bench/select-cost.ts` after a run of `npm run bench` (it reuses tete_bench and
 * ends every open search and engagement in it): fills the pool with the 10,000 mutually unmatchable users of the
 * pool phase directly, then times match_select_candidate (the locking variant the claim uses)
 * inside PostgreSQL for 1,000 other users. This is the query's own cost, without the client
 * round trip and event-loop waits that sql_match_select_ms includes for the second chance.
 */
async function main(): Promise<void> {
  const config = defaultConfig(false);
  const client = new pg.Client({ connectionString: benchDbUrl() });
  await client.connect();
  try {
    const users = generatePopulation(config);
    const ids = mutuallyIncompatible(users, config.poolTarget).map((user) => user.index + 1);
    await client.query('BEGIN');
    await client.query('DELETE FROM waiting_pool');
    await client.query(`DELETE FROM engagements`);
    await client.query(
      `UPDATE searches SET state = 'ended', ended_at = now(), end_reason = 'bench'
       WHERE state IN ('queued', 'waiting', 'proposed')`,
    );
    await client.query(
      `INSERT INTO searches (id, user_id, state) SELECT gen_random_uuid(), u, 'waiting'
       FROM unnest($1::bigint[]) AS u`,
      [ids],
    );
    await client.query(
      `INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at)
       SELECT s.user_id, s.id,
              array(SELECT topic_id FROM user_topics WHERE user_id = s.user_id ORDER BY topic_id),
              180, 0.5, s.requested_at
       FROM searches s WHERE s.state = 'waiting'`,
    );
    await client.query('COMMIT');
    await client.query(`CREATE FUNCTION pg_temp.time_select(uid bigint, topics int[]) RETURNS float8
      LANGUAGE plpgsql AS $f$
      DECLARE t timestamptz := clock_timestamp();
      BEGIN
        PERFORM * FROM match_select_candidate(uid, topics, 180, 840, true);
        RETURN extract(epoch FROM clock_timestamp() - t) * 1000;
      END $f$`);
    const pool = new Set(ids);
    const random = createRandom(9);
    const ms: number[] = [];
    while (ms.length < 1_010) {
      const user = users[Math.floor(random() * users.length)]!;
      if (pool.has(user.index + 1)) continue;
      const result = await client.query<{ ms: number }>(
        'SELECT pg_temp.time_select($1, $2) AS ms',
        [user.index + 1, user.topicRanks],
      );
      ms.push(result.rows[0]!.ms);
    }
    // The first calls plan afresh; a matcher's connection is long past them.
    const sorted = ms.slice(10).sort((a, b) => a - b);
    const at = (q: number) => round(sorted[Math.ceil(q * sorted.length) - 1]!, 3);
    console.log(
      JSON.stringify({
        waiting: ids.length,
        calls: sorted.length,
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: round(sorted.at(-1)!, 3),
      }),
    );
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

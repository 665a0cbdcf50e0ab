import { sql, type CommonQueryMethods } from 'slonik';

/**
 * Keeps a pair apart for `hours`, in both directions. A longer cooldown already in place is
 * kept; running it twice changes nothing.
 */
export async function coolDownPair(
  db: CommonQueryMethods,
  userA: number,
  userB: number,
  hours: number,
): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO recent_contacts (user_id, other_id, until)
    VALUES (${userA}, ${userB}, now() + make_interval(secs => ${hours * 3600})),
           (${userB}, ${userA}, now() + make_interval(secs => ${hours * 3600}))
    ON CONFLICT (user_id, other_id)
    DO UPDATE SET until = greatest(recent_contacts.until, excluded.until)`);
}

import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** The statements of "chat again": wishes after a chat, saved pairs, direct proposals. */

const low = (a: number, b: number) => Math.min(a, b);
const high = (a: number, b: number) => Math.max(a, b);

const chatRow = z.object({ partner_id: z.number(), first_name: z.string() });

/** The partner of `userId` in the chat of `matchId`, or null when that chat was not theirs. */
export function partnerInChat(db: CommonQueryMethods, matchId: number, userId: number) {
  return db.maybeOne(sql.type(chatRow)`
    SELECT p.id AS partner_id, p.first_name
    FROM chat_sessions c
    JOIN users p ON p.id = CASE WHEN c.user_a = ${userId} THEN c.user_b ELSE c.user_a END
    WHERE c.match_id = ${matchId} AND ${userId} IN (c.user_a, c.user_b)`);
}

/** True when `userId` made the direct proposal `matchId` (its user_a). */
export function isInviter(db: CommonQueryMethods, matchId: number, userId: number) {
  return db.exists(sql.unsafe`
    SELECT 1 FROM matches WHERE id = ${matchId} AND kind = 'again' AND user_a = ${userId}`);
}

/**
 * Records that `userId` would chat again with `partnerId` after the chat of `matchId`, and
 * saves the pair when the partner said so too (after the same chat or an earlier one). True
 * when the pair is saved by this call or was already. Blocked pairs are never saved.
 */
export async function addWish(
  db: DatabasePool,
  matchId: number,
  userId: number,
  partnerId: number,
): Promise<{ saved: boolean; partnerWished: boolean }> {
  return db.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      INSERT INTO again_wishes (match_id, user_id, partner_id)
      VALUES (${matchId}, ${userId}, ${partnerId})
      ON CONFLICT DO NOTHING`);
    const partnerWished = await tx.exists(sql.unsafe`
      SELECT 1 FROM again_wishes WHERE user_id = ${partnerId} AND partner_id = ${userId}`);
    if (!partnerWished) return { saved: false, partnerWished };
    const saved = await tx.query(sql.unsafe`
      INSERT INTO again_pairs (user_low, user_high)
      SELECT ${low(userId, partnerId)}, ${high(userId, partnerId)}
      WHERE NOT EXISTS (
        SELECT 1 FROM blocks
        WHERE (user_id = ${userId} AND blocked_id = ${partnerId})
           OR (user_id = ${partnerId} AND blocked_id = ${userId}))
      ON CONFLICT DO NOTHING`);
    return { saved: saved.rowCount > 0 || (await isSaved(tx, userId, partnerId)), partnerWished };
  });
}

/** True while the two are a saved pair that neither has blocked. */
export function isSaved(db: CommonQueryMethods, userId: number, partnerId: number) {
  return db.exists(sql.unsafe`
    SELECT 1 FROM again_pairs
    WHERE user_low = ${low(userId, partnerId)} AND user_high = ${high(userId, partnerId)}
      AND NOT EXISTS (
        SELECT 1 FROM blocks
        WHERE (user_id = ${userId} AND blocked_id = ${partnerId})
           OR (user_id = ${partnerId} AND blocked_id = ${userId}))`);
}

const partnerRow = z.object({ user_id: z.number(), first_name: z.string() });
export type SavedPartner = z.infer<typeof partnerRow>;

/** The user's saved partners who still have an account, oldest first. */
export function savedPartners(db: CommonQueryMethods, userId: number) {
  return db.any(sql.type(partnerRow)`
    SELECT u.id AS user_id, u.first_name
    FROM again_pairs p
    JOIN users u ON u.id = CASE WHEN p.user_low = ${userId} THEN p.user_high ELSE p.user_low END
    WHERE ${userId} IN (p.user_low, p.user_high) AND u.deleted_at IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM blocks b
        WHERE (b.user_id = ${userId} AND b.blocked_id = u.id)
           OR (b.user_id = u.id AND b.blocked_id = ${userId}))
    ORDER BY p.saved_at, u.id`);
}

/** Removes a saved pair (and both wishes behind it); true when there was one. */
export async function removePair(
  db: CommonQueryMethods,
  userId: number,
  partnerId: number,
): Promise<boolean> {
  const removed = await db.query(sql.unsafe`
    DELETE FROM again_pairs
    WHERE user_low = ${low(userId, partnerId)} AND user_high = ${high(userId, partnerId)}`);
  await db.query(sql.unsafe`
    DELETE FROM again_wishes
    WHERE (user_id = ${userId} AND partner_id = ${partnerId})
       OR (user_id = ${partnerId} AND partner_id = ${userId})`);
  return removed.rowCount > 0;
}

/** Why one of the two cannot take a direct proposal now, or null when both can. */
export type Unavailable =
  'inviter_paused' | 'inviter_refused' | 'inviter_busy' | 'partner_unavailable';

const insertedRow = z.object({ id: z.number(), expires_ms: z.number() });

/**
 * Claims both people and inserts a direct proposal (kind 'again') with the inviter as user_a,
 * already accepted: one transaction, so either both are engaged in it or nothing changed. The
 * engagements' primary key refuses it when either is taken meanwhile.
 */
export async function insertDirectProposal(
  db: DatabasePool,
  inviter: number,
  partner: number,
  ttlMs: number,
): Promise<{ matchId: number; expiresAt: number } | Unavailable> {
  return db.transaction(async (tx) => {
    // In id order, as everywhere else two users are locked.
    await tx.query(sql.unsafe`
      SELECT id FROM users WHERE id IN (${inviter}, ${partner}) ORDER BY id FOR UPDATE`);
    const refusal = (user: number) =>
      tx.maybeOneFirst(sql.type(z.object({ r: z.string().nullable() }))`
        SELECT user_search_refusal(${user}) AS r`);
    const busy = (user: number) =>
      tx.exists(sql.unsafe`
        SELECT 1 FROM engagements WHERE user_id = ${user}
        UNION ALL
        SELECT 1 FROM searches
        WHERE user_id = ${user} AND state IN ('queued', 'waiting', 'proposed')`);
    const inviterRefusal = await refusal(inviter);
    if (inviterRefusal === 'paused') return 'inviter_paused';
    if (inviterRefusal) return 'inviter_refused';
    if (await busy(inviter)) return 'inviter_busy';
    if ((await refusal(partner)) || (await busy(partner))) return 'partner_unavailable';
    const row = await tx.one(sql.type(insertedRow)`
      INSERT INTO matches (user_a, user_b, kind, score, shared_count, shared_topic_ids,
                           expires_at, accepted_a_at)
      SELECT ${inviter}, ${partner}, 'again', 1, cardinality(shared), shared,
             now() + ${ttlMs} * interval '1 millisecond', now()
      FROM (SELECT coalesce(array(
              SELECT topic_id FROM user_topics WHERE user_id = ${inviter}
              INTERSECT
              SELECT topic_id FROM user_topics WHERE user_id = ${partner}
              ORDER BY 1), '{}') AS shared) s
      RETURNING id, floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms`);
    await tx.query(sql.unsafe`
      INSERT INTO engagements (user_id, match_id, kind)
      VALUES (${inviter}, ${row.id}, 'proposal'), (${partner}, ${row.id}, 'proposal')`);
    return { matchId: row.id, expiresAt: row.expires_ms };
  });
}

/** An erased user's wishes and saved pairs go, both ways. */
export async function forgetAgainRows(tx: CommonQueryMethods, userId: number): Promise<void> {
  await tx.query(sql.unsafe`
    DELETE FROM again_wishes WHERE user_id = ${userId} OR partner_id = ${userId}`);
  await tx.query(sql.unsafe`
    DELETE FROM again_pairs WHERE user_low = ${userId} OR user_high = ${userId}`);
}

const refusalRow = z.object({ inviter: z.string().nullable(), partner: z.string().nullable() });

/**
 * Why the inviter and the partner may not be proposed to now (user_search_refusal: paused,
 * suspended...), checked before an invitation is held as well as when it is delivered.
 */
export async function refusalsOf(
  db: CommonQueryMethods,
  inviter: number,
  partner: number,
): Promise<{ inviter: string | null; partner: string | null }> {
  return db.one(sql.type(refusalRow)`
    SELECT user_search_refusal(${inviter}) AS inviter, user_search_refusal(${partner}) AS partner`);
}

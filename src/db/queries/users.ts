import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const userRow = z.object({
  id: z.number(),
  tg_id: z.number().nullable(),
  first_name: z.string(),
  username: z.string().nullable(),
  language: z.enum(['ru', 'en']),
  tz: z.string(),
  rules_accepted_at: z.date().nullable(),
  helpfulness: z.number(),
  bot_blocked_at: z.date().nullable(),
  suspended_at: z.date().nullable(),
  created_at: z.date(),
  deleted_at: z.date().nullable(),
});
export type UserRow = z.infer<typeof userRow>;

const profileRow = userRow.extend({ topic_ids: z.array(z.number()) });
export type UserProfile = z.infer<typeof profileRow>;

/** A user with their topic ids (sorted); null for an unknown or deleted user. */
export function getProfile(db: CommonQueryMethods, userId: number): Promise<UserProfile | null> {
  return db.maybeOne(sql.type(profileRow)`
    SELECT u.*,
           coalesce(array(SELECT topic_id FROM user_topics WHERE user_id = u.id ORDER BY topic_id),
                    '{}') AS topic_ids
    FROM users u
    WHERE u.id = ${userId} AND u.deleted_at IS NULL`);
}

export function getUser(db: CommonQueryMethods, userId: number): Promise<UserRow | null> {
  return db.maybeOne(sql.type(userRow)`SELECT * FROM users WHERE id = ${userId}`);
}

export function getUserByTelegramId(db: CommonQueryMethods, tgId: number): Promise<UserRow | null> {
  return db.maybeOne(sql.type(userRow)`
    SELECT * FROM users WHERE tg_id = ${tgId} AND deleted_at IS NULL`);
}

const recipientRow = z.object({
  id: z.number(),
  tg_id: z.number().nullable(),
  language: z.enum(['ru', 'en']),
  tz: z.string(),
  reachable: z.boolean(),
  partner_name: z.string().nullable(),
  partner_tz: z.string().nullable(),
  shared_topic_ids: z.array(z.number()).nullable(),
  /** When the user pressed /find for this match's search, if this is its first proposal. */
  first_requested_at: z.date().nullable(),
  /** The match's kind ('search', or 'again' for a direct proposal) when given a match. */
  match_kind: z.enum(['search', 'again']).nullable(),
  /** True when the user is the match's user_a (the inviter of a direct proposal). */
  is_user_a: z.boolean().nullable(),
  /** Shared topics the partner can help with and the user wants to learn, and the reverse. */
  partner_helps_ids: z.array(z.number()),
  partner_learns_ids: z.array(z.number()),
  /** The partner's side of the match is a standing request: they may be slow to answer. */
  partner_standing: z.boolean(),
  /**
   * For an open search proposal: the user's match just before it was a search proposal that
   * its partner skipped, and that card was not closed saying so (see settleSkipNotice). Only
   * a proposal's card asks, so other notices do not pay for the look-up.
   */
  follows_partner_skip: z.boolean().nullable(),
});
export type Recipient = z.infer<typeof recipientRow>;

// What a notice needs about its recipient `u` and, when the FROM clause joined match `m`, the
// partner in it: one list, so the single and the batched read cannot drift apart.
const RECIPIENT_COLUMNS = sql.fragment`
  u.id, u.tg_id, u.language, u.tz,
  (u.tg_id IS NOT NULL AND u.deleted_at IS NULL AND u.bot_blocked_at IS NULL) AS reachable,
  p.first_name AS partner_name, p.tz AS partner_tz, m.shared_topic_ids,
  CASE WHEN s.first_proposed_at = m.created_at THEN s.requested_at END AS first_requested_at,
  m.kind AS match_kind, m.user_a = u.id AS is_user_a,
  array(SELECT pt.topic_id FROM user_topics pt
        JOIN user_topics mt ON mt.topic_id = pt.topic_id AND mt.user_id = u.id
        WHERE pt.user_id = p.id AND pt.role = 'help' AND mt.role = 'learn'
        ORDER BY pt.topic_id) AS partner_helps_ids,
  array(SELECT pt.topic_id FROM user_topics pt
        JOIN user_topics mt ON mt.topic_id = pt.topic_id AND mt.user_id = u.id
        WHERE pt.user_id = p.id AND pt.role = 'learn' AND mt.role = 'help'
        ORDER BY pt.topic_id) AS partner_learns_ids,
  EXISTS (SELECT 1 FROM standing_requests sr
          WHERE sr.search_id = CASE WHEN m.user_a = u.id THEN m.search_b ELSE m.search_a END)
    AS partner_standing,
  CASE WHEN m.kind = 'search' AND m.status = 'proposed'
       THEN match_follows_partner_skip(u.id, m.id) END AS follows_partner_skip`;

const PARTNER_JOINS = sql.fragment`
  LEFT JOIN users p ON p.id = CASE WHEN m.user_a = u.id THEN m.user_b ELSE m.user_a END
  LEFT JOIN searches s ON s.id = CASE WHEN m.user_a = u.id THEN m.search_a ELSE m.search_b END`;

/**
 * Whom a notice goes to, and (when given the match) their partner in it and the shared
 * topics, in one round trip: the two messages of every new proposal read this.
 */
export function getRecipient(
  db: CommonQueryMethods,
  userId: number,
  matchId: number | null = null,
): Promise<Recipient | null> {
  return db.maybeOne(sql.type(recipientRow)`
    SELECT ${RECIPIENT_COLUMNS}
    FROM users u
    LEFT JOIN matches m ON m.id = ${matchId}::bigint AND u.id IN (m.user_a, m.user_b)
    ${PARTNER_JOINS}
    WHERE u.id = ${userId}`);
}

/** One request of getRecipients: a user and, optionally, the match the notice is about. */
export interface RecipientRequest {
  userId: number;
  matchId: number | null;
}

const indexedRecipientRow = recipientRow.extend({ idx: z.number() });

/**
 * getRecipient for several requests in one statement: the answer to each request at its
 * index, null where getRecipient would give null (an unknown user).
 */
export async function getRecipients(
  db: CommonQueryMethods,
  requests: readonly RecipientRequest[],
): Promise<(Recipient | null)[]> {
  const rows = await db.any(sql.type(indexedRecipientRow)`
    SELECT r.idx::int AS idx, ${RECIPIENT_COLUMNS}
    FROM unnest(${sql.array(
      requests.map((request) => request.userId),
      'int8',
    )}, ${sql.array(
      requests.map((request) => request.matchId),
      'int8',
    )}) WITH ORDINALITY AS r(user_id, match_id, idx)
    JOIN users u ON u.id = r.user_id
    LEFT JOIN matches m ON m.id = r.match_id AND u.id IN (m.user_a, m.user_b)
    ${PARTNER_JOINS}`);
  const byIndex = new Map(rows.map(({ idx, ...recipient }) => [idx, recipient]));
  return requests.map((_, i) => byIndex.get(i + 1) ?? null);
}

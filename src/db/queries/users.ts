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

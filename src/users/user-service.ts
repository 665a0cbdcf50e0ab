import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { AppError } from '../errors.js';
import {
  getProfile,
  getUserByTelegramId,
  userRow,
  type UserProfile,
  type UserRow,
} from '../db/queries/users.js';
import { listTopics, type TopicRow } from '../db/queries/topics.js';
import { DEFAULT_ZONE, parseTimeZone } from './time-zones.js';

export interface TelegramIdentity {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

export interface UserServiceDeps {
  db: DatabasePool;
  /** How long the topic catalogue is cached in memory. */
  topicsCacheMs?: number;
}

/** Profiles: registration from Telegram, rules, topics, time zone and language. */
export function createUserService(deps: UserServiceDeps) {
  const { db } = deps;
  let topicsCache: { at: number; topics: readonly TopicRow[] } | undefined;

  return {
    /**
     * Creates the user on first contact, or refreshes name and username. A user who had
     * blocked the bot and writes again is active again; so is one whose erasure was cut short.
     */
    async register(from: TelegramIdentity, language: 'ru' | 'en'): Promise<UserRow> {
      const firstName = from.first_name.trim().slice(0, 256) || '—';
      const username = from.username?.slice(0, 64) ?? null;
      return db.one(sql.type(userRow)`
        INSERT INTO users (tg_id, first_name, username, language, tz)
        VALUES (${from.id}, ${firstName}, ${username}, ${language}, ${DEFAULT_ZONE[language]})
        ON CONFLICT (tg_id) DO UPDATE SET
          first_name = excluded.first_name,
          username = excluded.username,
          bot_blocked_at = NULL,
          deleted_at = NULL
        RETURNING *`);
    },

    /** True when this call accepted them; false when they were accepted already. */
    async acceptRules(userId: number): Promise<boolean> {
      const result = await db.query(sql.unsafe`
        UPDATE users SET rules_accepted_at = now()
        WHERE id = ${userId} AND rules_accepted_at IS NULL`);
      return result.rowCount > 0;
    },

    async topics(): Promise<readonly TopicRow[]> {
      const ttl = deps.topicsCacheMs ?? 60_000;
      if (!topicsCache || Date.now() - topicsCache.at > ttl) {
        topicsCache = { at: Date.now(), topics: await listTopics(db) };
      }
      return topicsCache.topics;
    },

    /** Adds or removes one topic; returns the user's topic ids afterwards. */
    async toggleTopic(userId: number, topicId: number): Promise<number[]> {
      return db.transaction(async (tx) => {
        const removed = await tx.query(sql.unsafe`
          DELETE FROM user_topics WHERE user_id = ${userId} AND topic_id = ${topicId}`);
        if (removed.rowCount === 0) {
          const added = await tx.query(sql.unsafe`
            INSERT INTO user_topics (user_id, topic_id)
            SELECT ${userId}, id FROM topics WHERE id = ${topicId}
            ON CONFLICT DO NOTHING`);
          if (added.rowCount === 0)
            throw new AppError('not_found', `topic ${topicId} does not exist`);
        }
        const ids = await tx.anyFirst(sql.type(z.object({ topic_id: z.number() }))`
          SELECT topic_id FROM user_topics WHERE user_id = ${userId} ORDER BY topic_id`);
        return [...ids];
      });
    },

    /**
     * Sets the time zone from what the user typed or pressed.
     * @throws AppError bad_request when it is not a zone or an offset.
     */
    async setTimeZone(userId: number, input: string): Promise<string> {
      const zone = parseTimeZone(input);
      if (!zone) throw new AppError('bad_request', 'unknown time zone');
      await db.query(sql.unsafe`UPDATE users SET tz = ${zone} WHERE id = ${userId}`);
      return zone;
    },

    async setLanguage(userId: number, language: 'ru' | 'en'): Promise<void> {
      await db.query(sql.unsafe`UPDATE users SET language = ${language} WHERE id = ${userId}`);
    },

    profile(userId: number): Promise<UserProfile | null> {
      return getProfile(db, userId);
    },

    /** How others rated this user after chats: the count and the mean (1-5), if any. */
    async rating(userId: number): Promise<{ count: number; average: number | null }> {
      return db.one(sql.type(z.object({ count: z.number(), average: z.number().nullable() }))`
        SELECT count(*)::int AS count, avg(rating)::float8 AS average
        FROM feedback WHERE rated_id = ${userId}`);
    },

    /** The registered, not deleted user behind a Telegram account, if any. */
    /** The user talks to the bot again after blocking it: they can be reached once more. */
    async reactivate(userId: number): Promise<void> {
      await db.query(sql.unsafe`
        UPDATE users SET bot_blocked_at = NULL WHERE id = ${userId} AND bot_blocked_at IS NOT NULL`);
    },

    byTelegramId(tgId: number): Promise<UserRow | null> {
      return getUserByTelegramId(db, tgId);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

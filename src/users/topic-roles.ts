import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** What someone says about one of their topics: they can help with it, or want to learn it. */
export type TopicRole = 'help' | 'learn';

const roleRow = z.object({ topic_id: z.number(), role: z.enum(['help', 'learn']).nullable() });
export type TopicRoleRow = z.infer<typeof roleRow>;

/**
 * Topic roles (/profile): kept on the user's own user_topics rows, so a topic that is removed
 * takes its role with it and /delete, which deletes those rows, erases them too. The matcher
 * reads them when a search joins the pool (match_process_search).
 */
export function createTopicRoles(deps: { db: DatabasePool }) {
  const { db } = deps;
  return {
    /** The user's topics with their roles, by topic id. */
    list(userId: number): Promise<readonly TopicRoleRow[]> {
      return db.any(sql.type(roleRow)`
        SELECT topic_id, role FROM user_topics WHERE user_id = ${userId} ORDER BY topic_id`);
    },

    /**
     * Moves one topic's role on, none → can help → wants to learn → none, in one statement
     * (a double press moves it twice, as two presses should). Undefined when it is not one of
     * the user's topics.
     */
    async cycle(userId: number, topicId: number): Promise<TopicRole | null | undefined> {
      const row = await db.maybeOne(sql.type(roleRow)`
        UPDATE user_topics SET role = CASE WHEN role IS NULL THEN 'help'
                                           WHEN role = 'help' THEN 'learn' END
        WHERE user_id = ${userId} AND topic_id = ${topicId}
        RETURNING topic_id, role`);
      return row ? row.role : undefined;
    },
  };
}

export type TopicRoles = ReturnType<typeof createTopicRoles>;

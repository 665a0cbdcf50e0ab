import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const topicRow = z.object({
  id: z.number(),
  slug: z.string(),
  title_ru: z.string(),
  title_en: z.string(),
});
export type TopicRow = z.infer<typeof topicRow>;

export function listTopics(db: CommonQueryMethods): Promise<readonly TopicRow[]> {
  return db.any(sql.type(topicRow)`SELECT * FROM topics ORDER BY id`);
}

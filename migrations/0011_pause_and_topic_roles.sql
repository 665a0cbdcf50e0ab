-- /pause: until when a person takes no searches and gets no proposals. NULL (or a time in
-- the past) means they are not paused; user_search_refusal compares it with now(), so a pause
-- ends on time even if its resume job was lost, and the job only clears it and says so.
ALTER TABLE users ADD COLUMN paused_until timestamptz;
CREATE INDEX users_paused_until ON users (paused_until) WHERE paused_until IS NOT NULL;

-- Topics someone can help with or wants to learn (/profile). NULL is neither, which is what
-- every existing profile starts with.
ALTER TABLE user_topics ADD COLUMN role text
  CONSTRAINT user_topics_role_valid CHECK (role IN ('help', 'learn'));
-- The same roles on a waiting search, so the candidate query reads them from the pool row as
-- it reads its topics; rows written before this have none.
ALTER TABLE waiting_pool
  ADD COLUMN help_topic_ids integer[] NOT NULL DEFAULT '{}',
  ADD COLUMN learn_topic_ids integer[] NOT NULL DEFAULT '{}';

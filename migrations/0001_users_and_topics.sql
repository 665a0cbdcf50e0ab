-- People, the topic catalogue and who likes what.
CREATE EXTENSION IF NOT EXISTS intarray;

CREATE TABLE users (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- NULL only once the user has deleted themself: the row stays for match statistics.
  tg_id             bigint UNIQUE,
  first_name        text NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 256),
  username          text CHECK (username IS NULL OR char_length(username) BETWEEN 1 AND 64),
  language          text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
  tz                text NOT NULL DEFAULT 'Europe/Moscow' CHECK (char_length(tz) BETWEEN 1 AND 64),
  rules_accepted_at timestamptz,
  helpfulness       real NOT NULL DEFAULT 0.5 CHECK (helpfulness BETWEEN 0 AND 1),
  -- The user blocked the bot (Bot API 403): nothing can be delivered until they come back.
  bot_blocked_at    timestamptz,
  -- Too many reports: kept out of matching until a moderator lifts it.
  suspended_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  CHECK (tg_id IS NOT NULL OR deleted_at IS NOT NULL)
);

CREATE TABLE topics (
  id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug     text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title_ru text NOT NULL CHECK (char_length(title_ru) BETWEEN 1 AND 64),
  title_en text NOT NULL CHECK (char_length(title_en) BETWEEN 1 AND 64)
);

CREATE TABLE user_topics (
  user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic_id integer NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, topic_id)
);
-- From the sprint document: candidate lookups go from a topic to its users.
CREATE INDEX IF NOT EXISTS idx_user_topics_topic ON user_topics (topic_id);

-- Exactly as in the sprint document: a pair that met recently is not proposed again until `until`.
CREATE TABLE IF NOT EXISTS recent_contacts (
  user_id  BIGINT NOT NULL,
  other_id BIGINT NOT NULL,
  until    TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, other_id)
);

-- Blocks, reports and post-chat ratings.

-- A block is one-directional in storage; matching treats it as mutual.
CREATE TABLE blocks (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, blocked_id),
  CHECK (user_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE reports (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reporter_id bigint REFERENCES users (id) ON DELETE SET NULL,
  reported_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  match_id    bigint REFERENCES matches (id),
  reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (reporter_id IS NULL OR reporter_id <> reported_id)
);
-- One report per reporter and chat, so repeating /report cannot inflate the count.
CREATE UNIQUE INDEX reports_once_per_match ON reports (reporter_id, match_id);
CREATE INDEX reports_reported ON reports (reported_id);

CREATE TABLE feedback (
  match_id   bigint NOT NULL REFERENCES matches (id),
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rated_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (match_id, user_id),
  CHECK (user_id <> rated_id)
);
CREATE INDEX feedback_rated ON feedback (rated_id);

-- Mutual contact reveal: a press of "Exchange contacts" for one chat. Nothing is revealed until
-- both people of the chat have a standing press; then both rows get revealed_at.
CREATE TABLE contact_requests (
  match_id     bigint NOT NULL REFERENCES chat_sessions (match_id),
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The presser's Telegram username when they pressed (fresher than users.username, which is
  -- refreshed only by /start); NULL means they have none and are shown by a mention instead.
  username     text CHECK (username IS NULL OR char_length(username) BETWEEN 1 AND 64),
  -- Each press after a withdrawal is a new round, so its notice is a new message.
  round        integer NOT NULL DEFAULT 1 CHECK (round BETWEEN 1 AND 100),
  requested_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz,
  revealed_at  timestamptz,
  PRIMARY KEY (match_id, user_id),
  CHECK (withdrawn_at IS NULL OR revealed_at IS NULL)
);
CREATE INDEX contact_requests_user ON contact_requests (user_id);

-- Moderation: operators (ADMIN_TELEGRAM_IDS) decide reports and appeals. A dismissed report
-- no longer counts towards the reported person's suspension and counts against its reporter;
-- a cleared one (the suspension was lifted) counts for nobody.
ALTER TABLE reports
  ADD COLUMN status     text NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'upheld', 'dismissed', 'cleared')),
  ADD COLUMN decided_at timestamptz,
  -- The operator's Telegram id: operators are configured, not users.
  ADD COLUMN decided_by bigint;
CREATE INDEX reports_dismissed_reporter ON reports (reporter_id) WHERE status = 'dismissed';

-- One appeal per suspension: a suspended person may write once to the operators.
CREATE TABLE appeals (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  suspended_at timestamptz NOT NULL,
  text         text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  decided_at   timestamptz,
  decided_by   bigint,
  outcome      text CHECK (outcome IN ('lifted', 'kept')),
  UNIQUE (user_id, suspended_at),
  CHECK ((outcome IS NULL) = (decided_at IS NULL))
);

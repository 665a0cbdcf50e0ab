-- What the matching pipeline and the outbound sender need beyond the core schema.

-- When a search last entered the queue; the reconciler re-announces searches stuck there.
ALTER TABLE searches ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX searches_queued_at ON searches (queued_at) WHERE state = 'queued';

-- Messages the outbound sender has delivered, by idempotency key. A message whose key is
-- here is not sent again, even if its queue entry is replayed after a Redis loss.
CREATE TABLE delivered_messages (
  key        text PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 200),
  chat_id    bigint NOT NULL,
  message_id bigint,
  sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivered_messages_sent_at ON delivered_messages (sent_at);

-- /block and /report look up a user's most recent chat.
CREATE INDEX chat_sessions_user_a ON chat_sessions (user_a, started_at DESC);
CREATE INDEX chat_sessions_user_b ON chat_sessions (user_b, started_at DESC);

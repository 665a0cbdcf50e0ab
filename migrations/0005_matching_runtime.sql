-- What the matching pipeline and the outbound sender need beyond the core schema.

-- When a search last entered the queue; the reconciler re-announces searches stuck there.
ALTER TABLE searches ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX searches_queued_at ON searches (queued_at) WHERE state = 'queued';

-- Share of two users' local waking hours that coincide, from their UTC offsets in minutes
-- and the length of the waking window in minutes. Both windows have the same length and
-- start at the same local time, so only the offset difference d (taken round the clock)
-- matters: overlap = max(0, L - d) + max(0, L - (1440 - d)). Written without FROM so the
-- planner inlines it. src/matcher/score.ts computes the same thing; a test keeps them equal.
CREATE FUNCTION waking_overlap(offset_a integer, offset_b integer, waking_minutes integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE WHEN waking_minutes <= 0 THEN 0::double precision ELSE least(1::double precision,
    (greatest(0, waking_minutes - least(abs(offset_a - offset_b) % 1440, 1440 - abs(offset_a - offset_b) % 1440))
     + greatest(0, waking_minutes - 1440 + least(abs(offset_a - offset_b) % 1440, 1440 - abs(offset_a - offset_b) % 1440))
    )::double precision / waking_minutes) END
$$;

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

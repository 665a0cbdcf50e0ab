-- "Keep looking and notify me": a search that stays in the pool for hours after a search ended
-- with nobody found. The search itself is an ordinary row of searches (so /cancel, pause,
-- /delete and the matcher treat it as one); this row says it stands until `until` and is
-- proposed only while its person is awake. default_start/default_end are the service's
-- WAKING_HOURS when the request began, used when the person has no hours of their own.
-- The row goes with its search; /delete removes it with the person's other rows.
CREATE TABLE standing_requests (
  search_id     uuid PRIMARY KEY REFERENCES searches (id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  until         timestamptz NOT NULL,
  default_start smallint NOT NULL CHECK (default_start BETWEEN 0 AND 23),
  default_end   smallint NOT NULL CHECK (default_end BETWEEN 1 AND 24),
  -- STANDING_PROPOSAL_TTL_SECONDS, in ms: how long a proposal to this person waits (match_claim).
  proposal_ttl_ms integer NOT NULL CHECK (proposal_ttl_ms > 0),
  -- Whether the sweeper last saw its person asleep: when they wake, their search is announced
  -- to the matcher again, so someone who joined the pool during their night is proposed now.
  asleep        boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX standing_requests_user ON standing_requests (user_id);
CREATE INDEX standing_requests_until ON standing_requests (until);

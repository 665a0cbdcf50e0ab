-- Searches, the waiting pool, proposals (matches), who is busy, and chat sessions.

-- One row per press of "Find a partner". Its id is the request_id carried by match.find.
CREATE TABLE searches (
  id                uuid PRIMARY KEY,
  user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state             text NOT NULL DEFAULT 'queued'
                    CONSTRAINT searches_state_valid CHECK (state IN ('queued', 'waiting', 'proposed', 'matched', 'cancelled', 'expired', 'ended')),
  -- The user's place in the queue; kept when a search is requeued.
  requested_at      timestamptz NOT NULL DEFAULT now(),
  requeue_count     smallint NOT NULL DEFAULT 0 CHECK (requeue_count >= 0),
  match_id          bigint,
  first_proposed_at timestamptz,
  ended_at          timestamptz,
  end_reason        text,
  CONSTRAINT searches_ended_iff_closed
    CHECK ((state IN ('queued', 'waiting', 'proposed')) = (ended_at IS NULL))
);
-- A user has at most one open search.
CREATE UNIQUE INDEX searches_one_open_per_user ON searches (user_id)
  WHERE state IN ('queued', 'waiting', 'proposed');
CREATE INDEX searches_open_by_time ON searches (requested_at)
  WHERE state IN ('queued', 'waiting');
CREATE INDEX searches_requested_at ON searches (requested_at);

-- Users waiting for a partner right now. The GIN index answers "shares >= 2 topics".
CREATE TABLE waiting_pool (
  user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  search_id      uuid NOT NULL UNIQUE REFERENCES searches (id) ON DELETE CASCADE,
  topic_ids      integer[] NOT NULL CHECK (cardinality(topic_ids) >= 2),
  -- The user's UTC offset when they joined, for the waking-hours overlap term of the score.
  utc_offset_min smallint NOT NULL CHECK (utc_offset_min BETWEEN -840 AND 840),
  helpfulness    real NOT NULL CHECK (helpfulness BETWEEN 0 AND 1),
  requested_at   timestamptz NOT NULL,
  joined_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waiting_pool_topics ON waiting_pool USING gin (topic_ids gin__int_ops);
CREATE INDEX waiting_pool_requested_at ON waiting_pool (requested_at);

-- One row per proposal.
CREATE TABLE matches (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_a           bigint NOT NULL REFERENCES users (id),
  user_b           bigint NOT NULL REFERENCES users (id),
  search_a         uuid REFERENCES searches (id) ON DELETE SET NULL,
  search_b         uuid REFERENCES searches (id) ON DELETE SET NULL,
  status           text NOT NULL DEFAULT 'proposed'
                   CONSTRAINT matches_status_valid
                   CHECK (status IN ('proposed', 'active', 'declined', 'expired')),
  score            real NOT NULL CHECK (score BETWEEN 0 AND 1),
  shared_count     smallint NOT NULL CHECK (shared_count >= 2),
  shared_topic_ids integer[] NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  decided_at       timestamptz,
  accepted_a_at    timestamptz,
  accepted_b_at    timestamptz,
  declined_by      bigint REFERENCES users (id),
  -- Expiry requeues the two searches had already used when this proposal was made.
  requeue_count    smallint NOT NULL DEFAULT 0 CHECK (requeue_count >= 0),
  CONSTRAINT matches_not_self CHECK (user_a <> user_b),
  CONSTRAINT matches_expiry_after_creation CHECK (expires_at > created_at),
  CONSTRAINT matches_decided_iff_not_proposed CHECK ((status = 'proposed') = (decided_at IS NULL)),
  CONSTRAINT matches_decliner_is_participant CHECK (declined_by IS NULL OR declined_by IN (user_a, user_b))
);
CREATE INDEX matches_open_by_expiry ON matches (expires_at) WHERE status = 'proposed';
CREATE INDEX matches_user_a ON matches (user_a);
CREATE INDEX matches_user_b ON matches (user_b);
CREATE INDEX matches_decided_at ON matches (decided_at) WHERE decided_at IS NOT NULL;

-- A user in a live proposal or chat. The primary key is what makes double booking impossible.
CREATE TABLE engagements (
  user_id  bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  match_id bigint NOT NULL REFERENCES matches (id),
  kind     text NOT NULL CHECK (kind IN ('proposal', 'chat')),
  since    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX engagements_match ON engagements (match_id);

CREATE TABLE chat_sessions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  match_id         bigint NOT NULL UNIQUE REFERENCES matches (id),
  user_a           bigint NOT NULL REFERENCES users (id),
  user_b           bigint NOT NULL REFERENCES users (id),
  started_at       timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  ended_at         timestamptz,
  -- The user who ended it, or NULL when it ended by itself (idle timeout) or by deletion.
  ended_by         bigint REFERENCES users (id),
  end_reason       text CHECK (end_reason IN ('user', 'idle', 'report', 'block', 'deleted')),
  CONSTRAINT chat_sessions_not_self CHECK (user_a <> user_b),
  CONSTRAINT chat_sessions_reason_iff_ended CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX chat_sessions_open ON chat_sessions (last_activity_at) WHERE ended_at IS NULL;

-- Chat again: after a chat each person may say "I'd chat again"; when both do, the pair is
-- saved, and either may later invite the other directly with /again.

-- One row per person who pressed "I'd chat again" after a chat (the chat's match).
CREATE TABLE again_wishes (
  match_id   bigint NOT NULL REFERENCES matches (id),
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  partner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (match_id, user_id),
  CONSTRAINT again_wishes_not_self CHECK (user_id <> partner_id)
);
CREATE INDEX again_wishes_partner ON again_wishes (partner_id);

-- A saved pair: both said so. Stored once, lower user id first.
CREATE TABLE again_pairs (
  user_low   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_high  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  saved_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_low, user_high),
  CONSTRAINT again_pairs_ordered CHECK (user_low < user_high)
);
CREATE INDEX again_pairs_high ON again_pairs (user_high);

-- A proposal made by /again goes to one saved partner directly, without a search or the
-- matcher; the two may share fewer than two topics by now.
ALTER TABLE matches ADD COLUMN kind text NOT NULL DEFAULT 'search'
  CONSTRAINT matches_kind_valid CHECK (kind IN ('search', 'again'));
ALTER TABLE matches DROP CONSTRAINT matches_shared_count_check;
ALTER TABLE matches ADD CONSTRAINT matches_shared_count_check
  CHECK (shared_count >= 2 OR (kind = 'again' AND shared_count >= 0));

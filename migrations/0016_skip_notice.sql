-- When someone skips, the other person's card is closed with "skipped" only if their next
-- proposal does not come first (SKIP_NOTICE_HOLD_MS): then its card says it instead. Which of
-- the two told them is settled once, on the skipped match: 'edit' (the card was closed) or
-- 'dropped' (the next card says it). See settleSkipNotice in src/db/queries/matches.ts.

-- Both sides of that rule look up a user's match just before or just after another one. The
-- new indexes are built first, while reads go on; what locks the table out (dropping the old
-- ones, the column) comes last, for the moment before the commit.
CREATE INDEX matches_user_a_id ON matches (user_a, id);
CREATE INDEX matches_user_b_id ON matches (user_b, id);
DROP INDEX matches_user_a;
DROP INDEX matches_user_b;

ALTER TABLE matches ADD COLUMN skip_notice text;
-- Every existing row has NULL in the new column, which the check accepts: NOT VALID spares a
-- scan of the table under the lock. Rows written from now on are checked.
ALTER TABLE matches ADD CONSTRAINT matches_skip_notice_valid
  CHECK (skip_notice IN ('edit', 'dropped')) NOT VALID;

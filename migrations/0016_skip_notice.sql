-- When someone skips, the other person's card is closed with "skipped" only if their next
-- proposal does not come first (SKIP_NOTICE_HOLD_MS): then its card says it instead. Which of
-- the two told them is settled once, on the skipped match: 'edit' (the card was closed) or
-- 'dropped' (the next card says it). See settleSkipNotice in src/db/queries/matches.ts.
ALTER TABLE matches ADD COLUMN skip_notice text
  CONSTRAINT matches_skip_notice_valid CHECK (skip_notice IN ('edit', 'dropped'));

-- Both sides of that rule look up a user's match just before or just after another one.
DROP INDEX matches_user_a;
CREATE INDEX matches_user_a ON matches (user_a, id);
DROP INDEX matches_user_b;
CREATE INDEX matches_user_b ON matches (user_b, id);

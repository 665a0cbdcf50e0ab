-- The waiting pool's topic pairs, for the candidate query's index. This migration also
-- created the matcher's claim functions, which now live in src/db/functions/ (docs/sql.md).

-- "Shares at least two topics" is "shares a topic pair". Each waiting user's topic pairs are
-- kept in a GIN-indexed column, so the rule is one array overlap (&&) answered from the
-- posting lists of the seeker's pairs, which are short even for popular topics, instead of an
-- intarray boolean query tested against every row holding any one of the seeker's topics.
-- A pair (a, b) with a < b is the number a * 2^31 + b.
-- This function stays here, with the column it computes: a stored generated column is schema.
-- Replacing the function would not recompute the stored pairs, so changing it takes a new
-- migration that rebuilds the column.
CREATE FUNCTION match_topic_pairs(topics integer[])
RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(a::bigint * 2147483648 + b ORDER BY a, b), '{}')
  FROM (SELECT DISTINCT unnest(topics) AS a) x, (SELECT DISTINCT unnest(topics) AS b) y
  WHERE a < b
$$;

ALTER TABLE waiting_pool
  ADD COLUMN topic_pairs bigint[] GENERATED ALWAYS AS (match_topic_pairs(topic_ids)) STORED;
-- fastupdate = off: by default new GIN entries wait in a pending list that every query scans
-- linearly until vacuum merges it. The pool changes with nearly every request, so that list is
-- never short: with 10,000 waiting users a candidate query took 8-25 ms scanning it, and about
-- 0.1 ms once it was merged; the planner also prices the list in and falls back to a
-- sequential scan. Inserts pay a little more instead.
CREATE INDEX waiting_pool_topic_pairs ON waiting_pool USING gin (topic_pairs)
  WITH (fastupdate = off);
-- Only the candidate query used it; keeping it would cost every pool insert and delete.
DROP INDEX waiting_pool_topics;

-- The sprint document's score of a pair, defined once: 0.6 * min(shared topics / 5, 1)
-- + 0.2 * the share of waking hours they have in common + 0.2 * the candidate's helpfulness
-- (0..1 by a column check). LANGUAGE sql without FROM and not STRICT, so the planner inlines
-- it into the candidate query. test/helpers/score-oracle.ts checks it on generated cases.
CREATE OR REPLACE FUNCTION match_score(
  shared_count integer, offset_a integer, offset_b integer, waking_minutes integer,
  helpfulness real)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (0.6 * least(shared_count / 5.0, 1)
          + 0.2 * waking_overlap(offset_a, offset_b, waking_minutes)
          + 0.2 * helpfulness)::float8
$$;

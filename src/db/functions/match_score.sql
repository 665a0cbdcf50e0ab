-- The sprint document's score of a pair, defined once: 0.6 * min(shared topics / 5, 1)
-- + 0.2 * the share of waking hours they have in common + 0.2 * the candidate's helpfulness
-- (0..1 by a column check), plus 0.1 when one of the two can help with a shared topic the
-- other wants to learn (/profile), capped at 1: that prefers such a pair among equals without
-- outweighing the sprint's terms. LANGUAGE sql without FROM and not STRICT, so the planner
-- inlines it into the candidate query. test/helpers/score-oracle.ts checks it on generated
-- cases.
CREATE OR REPLACE FUNCTION match_score(
  shared_count integer, offset_a integer, offset_b integer, waking_minutes integer,
  helpfulness real, mentoring boolean DEFAULT false)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT least(1.0, 0.6 * least(shared_count / 5.0, 1)
                    + 0.2 * waking_overlap(offset_a, offset_b, waking_minutes)
                    + 0.2 * helpfulness
                    + CASE WHEN mentoring THEN 0.1 ELSE 0 END)::float8
$$;

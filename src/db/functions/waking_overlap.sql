-- Share of two users' local waking hours that coincide, from their UTC offsets in minutes
-- and the length of the waking window in minutes. Both windows have the same length and
-- start at the same local time, so only the offset difference d (taken round the clock)
-- matters: overlap = max(0, L - d) + max(0, L - (1440 - d)). match_score uses it, called
-- per candidate row. PL/pgSQL: the planner would not inline it (a STRICT function whose body
-- is a CASE), and docs/sql.md says why a SQL function it does not inline is the costlier kind.
-- test/helpers/score-oracle.ts computes the same thing; the tests keep the two equal.
CREATE OR REPLACE FUNCTION waking_overlap(offset_a integer, offset_b integer, waking_minutes integer)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  d integer := least(abs(offset_a - offset_b) % 1440, 1440 - abs(offset_a - offset_b) % 1440);
BEGIN
  IF waking_minutes <= 0 THEN
    RETURN 0;
  END IF;
  RETURN least(1::double precision,
               (greatest(0, waking_minutes - d) + greatest(0, waking_minutes - 1440 + d))::double precision
               / waking_minutes);
END
$$;

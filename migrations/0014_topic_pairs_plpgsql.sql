-- match_topic_pairs (0006) as PL/pgSQL. As LANGUAGE sql it could not be inlined (it aggregates),
-- so every call planned its query afresh: 0.14-0.18 ms on the benchmark, twice per /find (the
-- pool's generated column and the candidate query). PL/pgSQL keeps the plan for the session.
-- The result is the same array for every input (distinct topics, pairs a < b in order of a,
-- then b, '{}' for fewer than two), so the stored column needs no rebuild.
CREATE OR REPLACE FUNCTION match_topic_pairs(topics integer[])
RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  v_sorted integer[] := ARRAY(SELECT DISTINCT t FROM unnest(topics) AS t WHERE t IS NOT NULL
                              ORDER BY t);
  v_pairs bigint[] := '{}';
  n integer := cardinality(v_sorted);
BEGIN
  FOR i IN 1..n - 1 LOOP
    FOR j IN i + 1..n LOOP
      v_pairs := v_pairs || (v_sorted[i]::bigint * 2147483648 + v_sorted[j]);
    END LOOP;
  END LOOP;
  RETURN v_pairs;
END
$$;

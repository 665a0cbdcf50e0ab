-- /find requests that arrived within a few milliseconds of each other, in one round trip and
-- one commit: search_start for each, in order, within one transaction. Commits waiting on the
-- WAL were the largest share of the database's time under load, one per /find before. Each
-- request runs in a subtransaction, so one that fails returns outcome 'error' (with the
-- message in tz) and leaves the others' searches in place; the caller asks again for it
-- alone, so its caller still gets its own error. idx is the position in p_users (1-based).
CREATE OR REPLACE FUNCTION search_start_batch(p_users bigint[], p_requests uuid[])
RETURNS TABLE (idx integer, outcome text, topic_ids integer[], tz text,
  requested_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r record;
BEGIN
  FOR i IN 1..coalesce(array_length(p_users, 1), 0) LOOP
    idx := i;
    BEGIN
      SELECT * INTO r FROM search_start(p_users[i], p_requests[i]);
      outcome := r.outcome; topic_ids := r.topic_ids; tz := r.tz;
      requested_at := r.requested_at;
    EXCEPTION WHEN OTHERS THEN
      outcome := 'error'; topic_ids := NULL; tz := SQLERRM; requested_at := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END
$$;

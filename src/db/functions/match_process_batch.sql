-- A batch of match.find requests in one round trip and one commit: match_process_search for
-- each, in order, within one transaction. Commits waiting on the WAL were the largest share of
-- the matcher's database time (one per request before); now a batch shares one. A later
-- request sees the earlier ones' pool rows, so two compatible requests of one batch meet here
-- without the second chance. Each request runs in a subtransaction: one that fails returns
-- kind 'error' (with the message in tz) and leaves the others' work in place, and the caller
-- handles it alone. idx is the request's position in p_searches (1-based); the other columns
-- are match_process_search's.
CREATE OR REPLACE FUNCTION match_process_batch(
  p_searches uuid[], p_tzs text[], p_offsets integer[], p_waking integer, p_ttl_ms integer)
RETURNS TABLE (idx integer, kind text, match_id bigint, user_id bigint, partner_id bigint,
  requeues_a integer, requeues_b integer, first_requested_ms double precision[],
  topic_ids integer[], tz text, select_ms double precision, expires_ms double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r record;
  -- The transaction's setting before any request: a request that only joins the pool turns
  -- synchronous_commit off (see match_process_search), which is safe only if no request of
  -- the batch claimed a match.
  v_sync text := current_setting('synchronous_commit');
  v_claimed boolean := false;
BEGIN
  FOR i IN 1..coalesce(array_length(p_searches, 1), 0) LOOP
    idx := i;
    BEGIN
      SELECT * INTO r FROM match_process_search(p_searches[i], p_tzs[i], p_offsets[i], p_waking,
                                                p_ttl_ms);
      kind := r.kind; match_id := r.match_id; user_id := r.user_id; partner_id := r.partner_id;
      requeues_a := r.requeues_a; requeues_b := r.requeues_b;
      first_requested_ms := r.first_requested_ms; topic_ids := r.topic_ids; tz := r.tz;
      select_ms := r.select_ms; expires_ms := r.expires_ms;
      v_claimed := v_claimed OR r.kind = 'matched';
    EXCEPTION WHEN OTHERS THEN
      kind := 'error'; match_id := NULL; user_id := NULL; partner_id := NULL;
      requeues_a := NULL; requeues_b := NULL; first_requested_ms := NULL; topic_ids := NULL;
      tz := SQLERRM; select_ms := NULL; expires_ms := NULL;
    END;
    RETURN NEXT;
  END LOOP;
  -- A claim is a write nothing rebuilds: the batch's commit waits for the WAL flush.
  IF v_claimed THEN
    PERFORM set_config('synchronous_commit', v_sync, true);
  END IF;
END
$$;

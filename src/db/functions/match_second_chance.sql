-- The second chance, in one transaction: two requests that arrive together can each miss
-- the other (neither sees the other's uncommitted pool row), so after joining the pool the
-- requester looks again with committed data, then locks both pool rows in user-id order
-- (waiting, not skipping, so two such retries cannot skip each other) and claims them if both
-- still hold the searches that were selected.
-- kind: waiting (nobody suitable) | matched | not_queued (the requester left the pool) |
-- retry (the partner was taken meanwhile: look again).
CREATE OR REPLACE FUNCTION match_second_chance(
  p_user bigint, p_search uuid, p_topics integer[], p_offset integer, p_waking integer,
  p_ttl_ms integer,
  OUT kind text, OUT match_id bigint, OUT partner_id bigint, OUT requeues_a integer,
  OUT requeues_b integer, OUT first_requested_ms double precision[],
  OUT select_ms double precision, OUT expires_ms double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c record;
  v record;
  v_started timestamptz := clock_timestamp();
  v_mine uuid;
  v_theirs uuid;
BEGIN
  -- A standing request at night is proposed to nobody (see match_process_search).
  IF standing_asleep(p_search) THEN
    kind := 'waiting';
    RETURN;
  END IF;
  -- The requester's topic roles come from the pool row they have just joined.
  SELECT * INTO c FROM match_select_candidate(p_user, p_topics, p_offset, p_waking, false,
    coalesce((SELECT w.help_topic_ids FROM waiting_pool w WHERE w.user_id = p_user), '{}'),
    coalesce((SELECT w.learn_topic_ids FROM waiting_pool w WHERE w.user_id = p_user), '{}'));
  select_ms := extract(epoch FROM clock_timestamp() - v_started) * 1000;
  IF NOT FOUND THEN
    kind := 'waiting';
    RETURN;
  END IF;
  PERFORM 1 FROM waiting_pool w
  WHERE w.user_id IN (least(p_user, c.user_id), greatest(p_user, c.user_id))
  ORDER BY w.user_id
  FOR UPDATE;
  SELECT w.search_id INTO v_mine FROM waiting_pool w WHERE w.user_id = p_user;
  SELECT w.search_id INTO v_theirs FROM waiting_pool w WHERE w.user_id = c.user_id;
  IF v_mine IS DISTINCT FROM p_search THEN
    kind := 'not_queued';
    RETURN;
  END IF;
  -- Gone, or back in the pool with a newer search than the one selected.
  IF v_theirs IS DISTINCT FROM c.search_id THEN
    kind := 'retry';
    RETURN;
  END IF;
  PERFORM 1 FROM searches s WHERE s.id = c.search_id AND s.state = 'waiting' FOR UPDATE;
  IF NOT FOUND THEN
    DELETE FROM waiting_pool w WHERE w.user_id = c.user_id AND w.search_id = c.search_id;
    kind := 'retry';
    RETURN;
  END IF;
  SELECT * INTO v FROM match_claim(p_user, p_search, c.user_id, c.search_id, c.score,
                                   c.shared_topic_ids, p_ttl_ms);
  kind := 'matched';
  match_id := v.match_id;
  partner_id := c.user_id;
  requeues_a := v.requeues_a;
  requeues_b := v.requeues_b;
  first_requested_ms := v.first_requested_ms;
  expires_ms := v.expires_ms;
END
$$;

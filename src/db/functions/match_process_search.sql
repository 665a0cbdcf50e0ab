-- One match.find request in one round trip (it was eight: BEGIN, seeker, candidate, four
-- claim statements, COMMIT): under a row lock on the search, finds the best waiting partner
-- and claims it, or puts the requester into the pool. Only a search still 'queued' is acted on.
-- kind: unknown | not_queued (match_id set when it is already proposed) | ineligible (the
-- user may no longer search, see user_search_refusal: the search ends) |
-- engaged (the previous proposal is still closing: nothing changed, try again) |
-- tz (p_tz is not the user's zone: call again with the offset of the returned tz) |
-- matched | waiting. p_offset is the UTC offset of p_tz, computed by the caller (ICU zones).
-- select_ms is the server-side time of the candidate query (sql_match_select_ms).
CREATE OR REPLACE FUNCTION match_process_search(
  p_search uuid, p_tz text, p_offset integer, p_waking integer, p_ttl_ms integer,
  OUT kind text, OUT match_id bigint, OUT user_id bigint, OUT partner_id bigint,
  OUT requeues_a integer, OUT requeues_b integer, OUT first_requested_ms double precision[],
  OUT topic_ids integer[], OUT tz text, OUT select_ms double precision,
  OUT expires_ms double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r record;
  c record;
  v record;
  v_started timestamptz;
  v_found boolean;
BEGIN
  SELECT s.id, s.user_id, s.state, s.match_id, s.requested_at, u.tz, u.helpfulness,
         array(SELECT ut.topic_id FROM user_topics ut WHERE ut.user_id = u.id ORDER BY ut.topic_id)
           AS topic_ids,
         array(SELECT ut.topic_id FROM user_topics ut
               WHERE ut.user_id = u.id AND ut.role = 'help' ORDER BY ut.topic_id) AS help_ids,
         array(SELECT ut.topic_id FROM user_topics ut
               WHERE ut.user_id = u.id AND ut.role = 'learn' ORDER BY ut.topic_id) AS learn_ids,
         EXISTS (SELECT 1 FROM engagements e WHERE e.user_id = u.id) AS engaged
  INTO r
  FROM searches s JOIN users u ON u.id = s.user_id
  WHERE s.id = p_search
  FOR UPDATE OF s;
  IF NOT FOUND THEN
    kind := 'unknown';
    RETURN;
  END IF;
  user_id := r.user_id;
  IF r.state = 'proposed' AND r.match_id IS NOT NULL THEN
    kind := 'not_queued';
    match_id := r.match_id;
    RETURN;
  END IF;
  IF r.state <> 'queued' THEN
    kind := 'not_queued';
    RETURN;
  END IF;
  IF user_search_refusal(r.user_id) IS NOT NULL THEN
    UPDATE searches SET state = 'ended', ended_at = now(), end_reason = 'ineligible'
    WHERE id = p_search;
    kind := 'ineligible';
    RETURN;
  END IF;
  IF r.engaged THEN
    kind := 'engaged';
    RETURN;
  END IF;
  tz := r.tz;
  IF p_tz IS DISTINCT FROM r.tz THEN
    kind := 'tz';
    RETURN;
  END IF;
  topic_ids := r.topic_ids;
  -- A candidate whose pool row outlived its search (a writer that raced a matcher left it)
  -- is dropped and the next one tried, so a leftover cannot fail claim after claim.
  -- A standing request that comes back to the queue at night (its proposal was skipped) waits
  -- in the pool: it is not proposed to anyone until its person wakes.
  FOR v_try IN 1..(CASE WHEN standing_asleep(p_search) THEN 0 ELSE 3 END) LOOP
    v_started := clock_timestamp();
    SELECT * INTO c FROM match_select_candidate(r.user_id, r.topic_ids, p_offset, p_waking, true,
                                                r.help_ids, r.learn_ids);
    v_found := FOUND;
    select_ms := coalesce(select_ms, 0) + extract(epoch FROM clock_timestamp() - v_started) * 1000;
    EXIT WHEN NOT v_found;
    -- The candidate's pool row is locked; lock its search too (pool row first, then search:
    -- the order every writer uses) and check it still waits.
    PERFORM 1 FROM searches s WHERE s.id = c.search_id AND s.state = 'waiting' FOR UPDATE;
    IF FOUND THEN
      SELECT * INTO v FROM match_claim(r.user_id, p_search, c.user_id, c.search_id, c.score,
                                       c.shared_topic_ids, p_ttl_ms);
      kind := 'matched';
      match_id := v.match_id;
      partner_id := c.user_id;
      requeues_a := v.requeues_a;
      requeues_b := v.requeues_b;
      first_requested_ms := v.first_requested_ms;
      expires_ms := v.expires_ms;
      RETURN;
    END IF;
    DELETE FROM waiting_pool w WHERE w.user_id = c.user_id AND w.search_id = c.search_id;
  END LOOP;
  INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at,
                            help_topic_ids, learn_topic_ids)
  VALUES (r.user_id, p_search, r.topic_ids, p_offset, r.helpfulness, r.requested_at,
          r.help_ids, r.learn_ids)
  ON CONFLICT (user_id) DO UPDATE SET search_id = excluded.search_id,
    topic_ids = excluded.topic_ids, utc_offset_min = excluded.utc_offset_min,
    help_topic_ids = excluded.help_topic_ids, learn_topic_ids = excluded.learn_topic_ids,
    helpfulness = excluded.helpfulness, requested_at = excluded.requested_at,
    joined_at = now();
  UPDATE searches SET state = 'waiting' WHERE id = p_search;
  -- Joining the pool is the one outcome whose commit need not wait for the WAL flush: if a
  -- PostgreSQL crash loses it, the search is back to 'queued' with its old queued_at
  -- (search_start committed it with the usual wait) and the search sweeper announces it on
  -- match.find again after SEARCH_STUCK_SECONDS, so the request is delayed, not lost. The WAL
  -- is written in order, so any later commit that does wait (a claim of this pool row, the
  -- second chance's claim) makes this one durable too. A claim always waits. A caller that
  -- calls this inside a longer transaction must restore the setting before committing if it
  -- wrote anything else (match_process_batch does).
  PERFORM set_config('synchronous_commit', 'off', true);
  kind := 'waiting';
END
$$;

-- POST /match/find and the bot's /find: refuses who may not search (user_search_refusal) or
-- is busy, reports an open search, or opens one, in one call. A request's cost on this kind
-- of machine is mostly its number of round trips (see bench/PERF-NOTES.md).
-- outcome: not_found | profile_incomplete | suspended | bot_blocked | paused | busy | already |
-- queued.
-- For queued, topic_ids, tz and requested_at describe the request.
CREATE OR REPLACE FUNCTION search_start(p_user bigint, p_request uuid,
  OUT outcome text, OUT topic_ids integer[], OUT tz text, OUT requested_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_refusal text := user_search_refusal(p_user);
BEGIN
  IF v_refusal IS NOT NULL THEN
    outcome := v_refusal;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM engagements e WHERE e.user_id = p_user) THEN
    outcome := 'busy';
    RETURN;
  END IF;
  INSERT INTO searches (id, user_id) VALUES (p_request, p_user)
  ON CONFLICT DO NOTHING
  RETURNING searches.requested_at INTO requested_at;
  IF NOT FOUND THEN
    -- The unique index of open searches: they are already searching (or a double press won).
    outcome := 'already';
    RETURN;
  END IF;
  outcome := 'queued';
  SELECT x.tz,
         array(SELECT ut.topic_id FROM user_topics ut WHERE ut.user_id = x.id ORDER BY ut.topic_id)
  INTO tz, topic_ids
  FROM users x WHERE x.id = p_user;
END
$$;

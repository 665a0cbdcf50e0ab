-- POST /match/find and the bot's /find: checks the profile, refuses a busy user, reports an
-- open search, or opens one, in one call. outcome: not_found | profile_incomplete | suspended
-- | busy | already | queued. For queued, topic_ids, tz and requested_at describe the request.
CREATE OR REPLACE FUNCTION search_start(p_user bigint, p_request uuid,
  OUT outcome text, OUT topic_ids integer[], OUT tz text, OUT requested_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  u record;
BEGIN
  SELECT x.rules_accepted_at, x.suspended_at, x.tz,
         array(SELECT ut.topic_id FROM user_topics ut WHERE ut.user_id = x.id ORDER BY ut.topic_id)
           AS topic_ids
  INTO u
  FROM users x WHERE x.id = p_user AND x.deleted_at IS NULL;
  IF NOT FOUND THEN
    outcome := 'not_found';
    RETURN;
  END IF;
  IF cardinality(u.topic_ids) < 2 OR u.rules_accepted_at IS NULL THEN
    outcome := 'profile_incomplete';
    RETURN;
  END IF;
  IF u.suspended_at IS NOT NULL THEN
    outcome := 'suspended';
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
  topic_ids := u.topic_ids;
  tz := u.tz;
END
$$;

-- The best waiting partner for a seeker: the sprint document's score, oldest request first on
-- ties; >= 2 shared topics, no cooldown and no block in either direction. With p_lock the
-- row comes back locked and rows other matchers hold are skipped.
CREATE OR REPLACE FUNCTION match_select_candidate(
  p_user bigint, p_topics integer[], p_offset integer, p_waking integer, p_lock boolean)
RETURNS TABLE (user_id bigint, search_id uuid, requested_at timestamptz,
               shared_topic_ids integer[], score double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_pairs bigint[] := match_topic_pairs(p_topics);
BEGIN
  IF cardinality(v_pairs) = 0 THEN
    RETURN;
  END IF;
  IF p_lock THEN
    RETURN QUERY
      SELECT w.user_id, w.search_id, w.requested_at,
             sort(w.topic_ids & p_topics) AS shared_topic_ids,
             (0.6 * least(icount(w.topic_ids & p_topics) / 5.0, 1)
              + 0.2 * waking_overlap(p_offset, w.utc_offset_min, p_waking)
              + 0.2 * w.helpfulness)::float8 AS score
      FROM waiting_pool w
      WHERE w.topic_pairs && v_pairs
        AND w.user_id <> p_user
        AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                        WHERE rc.user_id = p_user AND rc.other_id = w.user_id AND rc.until > now())
        AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                        WHERE rc.user_id = w.user_id AND rc.other_id = p_user AND rc.until > now())
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = p_user AND b.blocked_id = w.user_id)
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = w.user_id AND b.blocked_id = p_user)
      ORDER BY 5 DESC, w.requested_at ASC
      LIMIT 1
      FOR UPDATE OF w SKIP LOCKED;
  ELSE
    RETURN QUERY
      SELECT w.user_id, w.search_id, w.requested_at,
             sort(w.topic_ids & p_topics) AS shared_topic_ids,
             (0.6 * least(icount(w.topic_ids & p_topics) / 5.0, 1)
              + 0.2 * waking_overlap(p_offset, w.utc_offset_min, p_waking)
              + 0.2 * w.helpfulness)::float8 AS score
      FROM waiting_pool w
      WHERE w.topic_pairs && v_pairs
        AND w.user_id <> p_user
        AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                        WHERE rc.user_id = p_user AND rc.other_id = w.user_id AND rc.until > now())
        AND NOT EXISTS (SELECT 1 FROM recent_contacts rc
                        WHERE rc.user_id = w.user_id AND rc.other_id = p_user AND rc.until > now())
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = p_user AND b.blocked_id = w.user_id)
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = w.user_id AND b.blocked_id = p_user)
      ORDER BY 5 DESC, w.requested_at ASC
      LIMIT 1;
  END IF;
END
$$;

-- The best waiting partner for a seeker: the highest match_score, oldest request first on
-- ties; >= 2 shared topics, no cooldown and no block in either direction. With p_lock the
-- row comes back locked, and rows other transactions hold are skipped. p_help and p_learn are
-- the seeker's topics with those roles; a candidate who helps with one the seeker learns, or
-- learns one the seeker helps with, scores higher (match_score's mentoring).
-- The query is written once and the lock taken by a second statement, since a locking
-- clause cannot be optional: a best row that another matcher holds is set aside and the query
-- asked again, which a held row makes rare. Without FOR UPDATE the query's sort keeps only the
-- best row instead of sorting every candidate.
CREATE OR REPLACE FUNCTION match_select_candidate(
  p_user bigint, p_topics integer[], p_offset integer, p_waking integer, p_lock boolean,
  p_help integer[] DEFAULT '{}', p_learn integer[] DEFAULT '{}')
RETURNS TABLE (user_id bigint, search_id uuid, requested_at timestamptz,
               shared_topic_ids integer[], score double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_pairs bigint[] := match_topic_pairs(p_topics);
  v_held bigint[] := '{}';
  v_apart bigint[];
  c record;
BEGIN
  IF cardinality(v_pairs) = 0 THEN
    RETURN;
  END IF;
  -- Who the seeker may not meet now: a cooldown or a block, in either direction. Read once,
  -- through the indexes, rather than four anti-joins probed for every candidate row: those
  -- cost four lookups a row, and became four sequential scans a row whenever the statistics
  -- were older than the tables (a fresh database, or one whose autovacuum is behind).
  v_apart := ARRAY(
    SELECT rc.other_id FROM recent_contacts rc WHERE rc.user_id = p_user AND rc.until > now()
    UNION ALL
    SELECT rc.user_id FROM recent_contacts rc WHERE rc.other_id = p_user AND rc.until > now()
    UNION ALL
    SELECT b.blocked_id FROM blocks b WHERE b.user_id = p_user
    UNION ALL
    SELECT b.user_id FROM blocks b WHERE b.blocked_id = p_user);
  LOOP
    SELECT w.user_id, w.search_id, w.requested_at,
           sort(w.topic_ids & p_topics) AS shared_topic_ids,
           match_score(icount(w.topic_ids & p_topics), p_offset, w.utc_offset_min, p_waking,
                       w.helpfulness,
                       w.help_topic_ids && p_learn OR w.learn_topic_ids && p_help) AS score
    INTO c
    FROM waiting_pool w
    WHERE w.topic_pairs && v_pairs
      AND w.user_id <> p_user
      AND w.user_id <> ALL (v_held)
      AND w.user_id <> ALL (v_apart)
      -- A standing request is skipped while its person sleeps: here rather than in the matcher,
      -- so every path that picks a partner (first pass, batch, second chance) skips them alike,
      -- and a sleeper keeps their place in the pool instead of being taken and handed back.
      AND NOT standing_asleep(w.search_id)
    ORDER BY 5 DESC, w.requested_at ASC
    LIMIT 1;
    IF NOT FOUND THEN
      RETURN;
    END IF;
    EXIT WHEN NOT p_lock;
    PERFORM 1 FROM waiting_pool w WHERE w.user_id = c.user_id AND w.search_id = c.search_id
    FOR UPDATE SKIP LOCKED;
    EXIT WHEN FOUND;
    v_held := v_held || c.user_id;
  END LOOP;
  RETURN QUERY SELECT c.user_id, c.search_id, c.requested_at, c.shared_topic_ids, c.score;
END
$$;

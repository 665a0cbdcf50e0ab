-- The matcher's claim as server-side functions: one round trip per match.find entry instead
-- of eight (BEGIN, seeker, candidate, four claim statements, COMMIT). Each call is one
-- statement, so it is one transaction, exactly as the client-side transaction was; PL/pgSQL
-- also keeps the candidate query's plan between calls, where a client statement was planned
-- anew each time. src/matcher/claim-match.ts and select-candidate.ts call these.

-- "Shares at least two topics" is "shares a topic pair". Each waiting user's topic pairs are
-- kept in a GIN-indexed column, so the rule is one array overlap (&&) answered from the
-- posting lists of the seeker's pairs, which are short even for popular topics, instead of an
-- intarray boolean query tested against every row holding any one of the seeker's topics.
-- A pair (a, b) with a < b is the number a * 2^31 + b.
CREATE FUNCTION match_topic_pairs(topics integer[])
RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(a::bigint * 2147483648 + b ORDER BY a, b), '{}')
  FROM (SELECT DISTINCT unnest(topics) AS a) x, (SELECT DISTINCT unnest(topics) AS b) y
  WHERE a < b
$$;

ALTER TABLE waiting_pool
  ADD COLUMN topic_pairs bigint[] GENERATED ALWAYS AS (match_topic_pairs(topic_ids)) STORED;
-- fastupdate = off: by default new GIN entries wait in a pending list that every query scans
-- linearly until vacuum merges it. The pool changes with nearly every request, so that list is
-- never short: with 10,000 waiting users a candidate query took 8-25 ms scanning it, and about
-- 0.1 ms once it was merged; the planner also prices the list in and falls back to a
-- sequential scan. Inserts pay a little more instead.
CREATE INDEX waiting_pool_topic_pairs ON waiting_pool USING gin (topic_pairs)
  WITH (fastupdate = off);
-- Only the candidate query used it; keeping it would cost every pool insert and delete.
DROP INDEX waiting_pool_topics;

-- The best waiting partner for a seeker: the sprint document's score, oldest request first on
-- ties; >= 2 shared topics, no cooldown and no block in either direction. With p_lock the
-- row comes back locked and rows other matchers hold are skipped.
CREATE FUNCTION match_select_candidate(
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

-- Claims both users and the proposal: takes both out of the pool, inserts the match and both
-- engagements (whose primary key makes double booking impossible: a second live proposal
-- for either user fails here and the whole statement rolls back), marks both searches
-- proposed. first_requested_ms lists the requests (epoch ms) that got their first proposal.
CREATE FUNCTION match_claim(
  p_user bigint, p_search uuid, p_partner bigint, p_partner_search uuid,
  p_score double precision, p_shared integer[], p_ttl_ms integer,
  OUT match_id bigint, OUT requeues_a integer, OUT requeues_b integer,
  OUT first_requested_ms double precision[], OUT expires_ms double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_match bigint;
BEGIN
  DELETE FROM waiting_pool WHERE user_id IN (p_user, p_partner);
  -- The deadline counts from this transaction's clock, the one created_at uses, so a
  -- proposal always lives its full TTL.
  INSERT INTO matches (user_a, user_b, search_a, search_b, score, shared_count,
                       shared_topic_ids, expires_at, requeue_count)
  SELECT p_user, p_partner, p_search, p_partner_search,
         least(1, greatest(0, p_score)), cardinality(p_shared), p_shared,
         now() + p_ttl_ms * interval '1 millisecond',
         coalesce((SELECT max(requeue_count) FROM searches WHERE id IN (p_search, p_partner_search)), 0)
  RETURNING id, floor(extract(epoch FROM expires_at) * 1000) INTO v_match, expires_ms;
  INSERT INTO engagements (user_id, match_id, kind)
  VALUES (p_user, v_match, 'proposal'), (p_partner, v_match, 'proposal');
  WITH claimed AS (
    UPDATE searches SET state = 'proposed', match_id = v_match,
           first_proposed_at = coalesce(first_proposed_at, now())
    WHERE id IN (p_search, p_partner_search)
    RETURNING requested_at, requeue_count, user_id, first_proposed_at = now() AS first
  )
  SELECT coalesce(max(requeue_count) FILTER (WHERE user_id = p_user), 0),
         coalesce(max(requeue_count) FILTER (WHERE user_id = p_partner), 0),
         coalesce(array_agg(floor(extract(epoch FROM requested_at) * 1000)::float8)
                    FILTER (WHERE first), '{}')
  INTO requeues_a, requeues_b, first_requested_ms
  FROM claimed;
  match_id := v_match;
END
$$;

-- One match.find request: under a row lock on the search, finds the best waiting partner and
-- claims it, or puts the requester into the pool. Only a search still 'queued' is acted on.
-- kind: unknown | not_queued (match_id set when it is already proposed) | ineligible |
-- engaged (the previous proposal is still closing: nothing changed, try again) |
-- tz (p_tz is not the user's zone: call again with the offset of the returned tz) |
-- matched | waiting. p_offset is the UTC offset of p_tz, computed by the caller (ICU zones).
-- select_ms is the server-side time of the candidate query (sql_match_select_ms).
CREATE FUNCTION match_process_search(
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
         (u.deleted_at IS NULL AND u.suspended_at IS NULL AND u.bot_blocked_at IS NULL
          AND u.rules_accepted_at IS NOT NULL) AS eligible,
         array(SELECT ut.topic_id FROM user_topics ut WHERE ut.user_id = u.id ORDER BY ut.topic_id)
           AS topic_ids,
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
  IF NOT r.eligible OR cardinality(r.topic_ids) < 2 THEN
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
  FOR v_try IN 1..3 LOOP
    v_started := clock_timestamp();
    SELECT * INTO c FROM match_select_candidate(r.user_id, r.topic_ids, p_offset, p_waking, true);
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
  INSERT INTO waiting_pool (user_id, search_id, topic_ids, utc_offset_min, helpfulness, requested_at)
  VALUES (r.user_id, p_search, r.topic_ids, p_offset, r.helpfulness, r.requested_at)
  ON CONFLICT (user_id) DO UPDATE SET search_id = excluded.search_id,
    topic_ids = excluded.topic_ids, utc_offset_min = excluded.utc_offset_min,
    helpfulness = excluded.helpfulness, requested_at = excluded.requested_at,
    joined_at = now();
  UPDATE searches SET state = 'waiting' WHERE id = p_search;
  kind := 'waiting';
END
$$;

-- The second chance, in one transaction: two requests that arrive together can each miss
-- the other (neither sees the other's uncommitted pool row), so after joining the pool the
-- requester looks again with committed data, then locks both pool rows in user-id order
-- (waiting, not skipping, so two such retries cannot skip each other) and claims them if both
-- still hold the searches that were selected.
-- kind: waiting (nobody suitable) | matched | not_queued (the requester left the pool) |
-- retry (the partner was taken meanwhile: look again).
CREATE FUNCTION match_second_chance(
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
  SELECT * INTO c FROM match_select_candidate(p_user, p_topics, p_offset, p_waking, false);
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

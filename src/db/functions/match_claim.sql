-- Claims both users and the proposal: takes both out of the pool, inserts the match and both
-- engagements (whose primary key makes double booking impossible: a second live proposal
-- for either user fails here and the whole statement rolls back), marks both searches
-- proposed. first_requested_ms lists the requests (epoch ms) that got their first proposal.
-- A proposal to someone with a standing request waits that request's longer TTL (they are not
-- watching the chat); expires_ms returns the deadline, so the proposal's timer follows it.
CREATE OR REPLACE FUNCTION match_claim(
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
         now() + greatest(p_ttl_ms, (SELECT max(sr.proposal_ttl_ms) FROM standing_requests sr
                                     WHERE sr.search_id IN (p_search, p_partner_search)))
               * interval '1 millisecond',
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

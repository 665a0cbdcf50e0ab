-- What a decided proposal changes in PostgreSQL, in one statement: the chart's closeProposal,
-- coolDownPair and settleSearch effects. A decline names all four parts and an expiry three;
-- run one by one they cost a round trip and a commit each, the largest share of what the
-- api+timers process sent PostgreSQL per /find (bench/PERF-NOTES.md). Each part moves only from
-- the state it expects, as each effect did on its own, so a repeated call changes nothing,
-- and a call may name any of the parts (the effects also run one at a time after a crash).
--   p_status: 'declined' or 'expired' closes the match (NULL: not this time);
--   p_cool_users: the pair to keep apart for p_cool_secs (empty: no cooldown);
--   p_settle_users, p_settle_outcomes: each person's search, requeued ('requeue', or
--   'requeue_expired', which counts toward the requeue limit) or ended with the outcome.
-- Returns the searches put back in the queue, with what their match.find entry announces.
CREATE OR REPLACE FUNCTION proposal_settle(
  p_match bigint,
  p_status text,
  p_declined_by bigint,
  p_cool_users bigint[],
  p_cool_secs double precision,
  p_settle_users bigint[],
  p_settle_outcomes text[]
) RETURNS TABLE (id uuid, user_id bigint, requested_at timestamptz, tz text, topic_ids int[])
LANGUAGE plpgsql AS $$
DECLARE
  i int;
BEGIN
  IF p_status IS NOT NULL THEN
    UPDATE matches m SET status = p_status, decided_at = now(), declined_by = p_declined_by
    WHERE m.id = p_match AND m.status = 'proposed';
    DELETE FROM engagements e WHERE e.match_id = p_match;
  END IF;
  IF cardinality(p_cool_users) = 2 THEN
    INSERT INTO recent_contacts AS r (user_id, other_id, until)
    VALUES (p_cool_users[1], p_cool_users[2], now() + make_interval(secs => p_cool_secs)),
           (p_cool_users[2], p_cool_users[1], now() + make_interval(secs => p_cool_secs))
    ON CONFLICT ON CONSTRAINT recent_contacts_pkey
    DO UPDATE SET until = greatest(r.until, excluded.until);
  END IF;
  FOR i IN 1 .. coalesce(cardinality(p_settle_users), 0) LOOP
    IF p_settle_outcomes[i] IN ('requeue', 'requeue_expired') THEN
      -- Back in the queue at its old place (requested_at). A second run finds it queued and
      -- returns it again without counting the requeue twice; an erased user's is left alone.
      RETURN QUERY
      UPDATE searches s SET
        state = 'queued',
        queued_at = now(),
        requeue_count = CASE
          WHEN s.state = 'proposed' AND p_settle_outcomes[i] = 'requeue_expired'
            THEN s.requeue_count + 1
          ELSE s.requeue_count END
      FROM users u
      WHERE s.user_id = p_settle_users[i] AND s.match_id = p_match
        AND s.state IN ('proposed', 'queued')
        AND u.id = s.user_id AND u.deleted_at IS NULL
      RETURNING s.id, s.user_id, s.requested_at, u.tz,
        array(SELECT t.topic_id::int FROM user_topics t
              WHERE t.user_id = s.user_id ORDER BY t.topic_id);
    ELSE
      UPDATE searches s SET state = 'ended', ended_at = now(), end_reason = p_settle_outcomes[i]
      WHERE s.user_id = p_settle_users[i] AND s.match_id = p_match AND s.state = 'proposed';
    END IF;
  END LOOP;
END
$$;

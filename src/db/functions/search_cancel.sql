-- POST /match/cancel and the bot's /cancel in one statement: a transaction that stays open
-- across several round trips holds its row locks while the API's event loop is busy, which
-- under load was PostgreSQL's most common state ("idle in transaction").
-- Returns none (no open search), busy (a proposal is open) or cancelled.
CREATE OR REPLACE FUNCTION search_cancel(p_user bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  -- The pool row before the search row: the order a claim locks them in. The other order
  -- deadlocks against a matcher claiming this user at the same moment.
  DELETE FROM waiting_pool WHERE user_id = p_user;
  SELECT id, state INTO s FROM searches
  WHERE user_id = p_user AND state IN ('queued', 'waiting', 'proposed')
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'none';
  END IF;
  IF s.state = 'proposed' THEN
    -- A claim removes the pool row when it proposes, so the delete above removed nothing.
    RETURN 'busy';
  END IF;
  -- Once more: a matcher holding the search may have put the user into the pool while we
  -- waited for it. Rarely that new row is already being claimed: a deadlock PostgreSQL breaks,
  -- and the caller's single statement is retried.
  DELETE FROM waiting_pool WHERE user_id = p_user;
  UPDATE searches SET state = 'cancelled', ended_at = now(), end_reason = 'cancelled'
  WHERE id = s.id;
  RETURN 'cancelled';
END
$$;

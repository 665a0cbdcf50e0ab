-- Who may search, defined once: why p_user may not search now, or NULL when they may.
-- search_start answers /find with it, and match_process_search ends a queued search with it,
-- so someone who became ineligible after pressing is not matched.
-- not_found: no such user, or deleted | profile_incomplete: rules not accepted, or fewer than
-- two topics | suspended: after reports | bot_blocked: nothing can reach them until they
-- write to the bot again | paused: they asked for a break (/pause) that has not ended yet.
-- PL/pgSQL so that its plans are kept for the session (docs/sql.md says why).
CREATE OR REPLACE FUNCTION user_search_refusal(p_user bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  u record;
BEGIN
  SELECT deleted_at, rules_accepted_at, suspended_at, bot_blocked_at, paused_until
  INTO u FROM users WHERE id = p_user;
  IF NOT FOUND OR u.deleted_at IS NOT NULL THEN
    RETURN 'not_found';
  END IF;
  -- Two rows are enough to know there are two topics.
  IF u.rules_accepted_at IS NULL
     OR (SELECT count(*) FROM (SELECT 1 FROM user_topics t WHERE t.user_id = p_user LIMIT 2) x) < 2
  THEN
    RETURN 'profile_incomplete';
  END IF;
  IF u.suspended_at IS NOT NULL THEN
    RETURN 'suspended';
  END IF;
  IF u.bot_blocked_at IS NOT NULL THEN
    RETURN 'bot_blocked';
  END IF;
  IF u.paused_until > now() THEN
    RETURN 'paused';
  END IF;
  RETURN NULL;
END
$$;

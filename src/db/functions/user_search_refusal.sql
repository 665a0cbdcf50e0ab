-- Who may search, defined once: why p_user may not search now, or NULL when they may.
-- search_start answers /find with it, and match_process_search ends a queued search with it,
-- so someone who became ineligible after pressing is not matched.
-- not_found: no such user, or deleted | profile_incomplete: rules not accepted, or fewer than
-- two topics | suspended: after reports | bot_blocked: nothing can reach them until they
-- write to the bot again | paused: they asked for a break (/pause) that has not ended yet.
CREATE OR REPLACE FUNCTION user_search_refusal(p_user bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN u.id IS NULL OR u.deleted_at IS NOT NULL THEN 'not_found'
    WHEN u.rules_accepted_at IS NULL
      OR (SELECT count(*) FROM user_topics t WHERE t.user_id = u.id) < 2 THEN 'profile_incomplete'
    WHEN u.suspended_at IS NOT NULL THEN 'suspended'
    WHEN u.bot_blocked_at IS NOT NULL THEN 'bot_blocked'
    WHEN u.paused_until > now() THEN 'paused'
  END
  FROM (VALUES (p_user)) AS p (id) LEFT JOIN users u ON u.id = p.id
$$;

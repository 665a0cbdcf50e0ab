-- True when p_user's match just before search proposal p_match was a search proposal that its
-- partner skipped, and that card was not closed saying so: then p_match's card says it (see
-- settleSkipNotice in src/db/queries/matches.ts, which reads the same pair from the other
-- side). "Just before" is by id: a user's matches are made one at a time (one engagement per
-- user), so ids follow the order in which they were made. PL/pgSQL so that its plan is kept
-- for the session: inside the recipient query, which is planned on every call, the look-up's
-- planning cost more than running it.
CREATE OR REPLACE FUNCTION match_follows_partner_skip(p_user bigint, p_match bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  told boolean;
BEGIN
  SELECT pm.kind = 'search' AND pm.status = 'declined' AND pm.declined_by <> p_user
         AND pm.skip_notice IS DISTINCT FROM 'edit'
  INTO told
  FROM ((SELECT x.id, x.kind, x.status, x.declined_by, x.skip_notice
         FROM matches x WHERE x.user_a = p_user AND x.id < p_match
         ORDER BY x.id DESC LIMIT 1)
        UNION ALL
        (SELECT x.id, x.kind, x.status, x.declined_by, x.skip_notice
         FROM matches x WHERE x.user_b = p_user AND x.id < p_match
         ORDER BY x.id DESC LIMIT 1)) pm
  ORDER BY pm.id DESC
  LIMIT 1;
  RETURN coalesce(told, false);
END
$$;

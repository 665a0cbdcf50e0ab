-- True when search p_search is a standing request whose person is outside their waking hours
-- now (their own from /profile, else the service's hours recorded with the request), in their
-- time zone. Same rule as isWaking in src/time/waking-hours.ts: whole local hours, a range
-- whose start is after its end wraps round midnight, equal ends are the whole day. An ordinary search is never asleep: its
-- person has just asked.
-- PL/pgSQL so that its plan is kept for the session (docs/sql.md says why).
CREATE OR REPLACE FUNCTION standing_asleep(p_search uuid)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  s integer;
  e integer;
  hr integer;
BEGIN
  SELECT coalesce(u.waking_start, sr.default_start)::integer % 24,
         coalesce(u.waking_end, sr.default_end)::integer % 24,
         extract(hour FROM now() AT TIME ZONE u.tz)::integer
  INTO s, e, hr
  FROM standing_requests sr
  JOIN users u ON u.id = sr.user_id
  WHERE sr.search_id = p_search AND sr.until > now();
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  RETURN coalesce(CASE WHEN s = e THEN false
                       WHEN s < e THEN NOT (hr >= s AND hr < e)
                       ELSE NOT (hr >= s OR hr < e) END, false);
END
$$;

-- True when search p_search is a standing request whose person is outside their waking hours
-- now (their own from /profile, else the service's hours recorded with the request), in their
-- time zone. Same rule as isWaking in src/time/waking-hours.ts: whole local hours, a range
-- whose start is after its end wraps round midnight, equal ends are the whole day. An ordinary search is never asleep: its
-- person has just asked.
CREATE OR REPLACE FUNCTION standing_asleep(p_search uuid)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT CASE WHEN h.s = h.e THEN false
                WHEN h.s < h.e THEN NOT (h.hr >= h.s AND h.hr < h.e)
                ELSE NOT (h.hr >= h.s OR h.hr < h.e) END
    FROM standing_requests sr
    JOIN users u ON u.id = sr.user_id
    CROSS JOIN LATERAL (
      SELECT coalesce(u.waking_start, sr.default_start)::integer % 24 AS s,
             coalesce(u.waking_end, sr.default_end)::integer % 24 AS e,
             extract(hour FROM now() AT TIME ZONE u.tz)::integer AS hr) h
    WHERE sr.search_id = p_search AND sr.until > now()), false)
$$;

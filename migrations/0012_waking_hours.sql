-- A person's own waking hours (/profile), as whole local hours; 24 as the end is midnight.
-- NULL (both) means the service's WAKING_HOURS. Everything that waits for someone's morning
-- (held invitations, night notices, a pause that ends at night) reads these first.
ALTER TABLE users
  ADD COLUMN waking_start smallint CHECK (waking_start BETWEEN 0 AND 23),
  ADD COLUMN waking_end smallint CHECK (waking_end BETWEEN 1 AND 24),
  ADD CONSTRAINT users_waking_hours_pair CHECK ((waking_start IS NULL) = (waking_end IS NULL));

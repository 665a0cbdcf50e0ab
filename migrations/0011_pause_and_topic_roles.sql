-- /pause: until when a person takes no searches and gets no proposals. NULL (or a time in
-- the past) means they are not paused; user_search_refusal compares it with now(), so a pause
-- ends on time even if its resume job was lost, and the job only clears it and says so.
ALTER TABLE users ADD COLUMN paused_until timestamptz;
CREATE INDEX users_paused_until ON users (paused_until) WHERE paused_until IS NOT NULL;

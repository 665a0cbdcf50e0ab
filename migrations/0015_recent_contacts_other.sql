-- The candidate query reads the seeker's cooldowns once per call, in both directions
-- (match_select_candidate): "who is kept apart from me" by other_id needs its own index, as
-- blocks has blocks_blocked.
CREATE INDEX recent_contacts_other ON recent_contacts (other_id);

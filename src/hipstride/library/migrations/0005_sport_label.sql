-- The runner's own label for a run's sport (`hipstride runs relabel`), kept apart from the sport
-- the recording gave so that importing a richer twin of the run later does not undo it.
-- NULL: no label, the recording's sport stands.
ALTER TABLE runs ADD COLUMN sport_label TEXT;

-- Targets per activity type and per sex × age band (docs/design.md §3):
-- each optional; a target without them counts everyone, as before.
ALTER TABLE targets ADD COLUMN activity_type_id INTEGER REFERENCES activity_types(id);
ALTER TABLE targets ADD COLUMN sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male'));
ALTER TABLE targets ADD COLUMN age_band TEXT;
DROP INDEX targets_one_per_scope;
CREATE UNIQUE INDEX targets_one_per_scope ON targets(indicator, COALESCE(site_id, 0), COALESCE(activity_type_id, 0), COALESCE(sex, ''), COALESCE(age_band, ''), period_start, period_end);

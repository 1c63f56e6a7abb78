-- The new-participant figures read only a few columns of each participant
-- (site, day, sex, birth year, disability, displacement); these indexes
-- carry them, so a quarter's registrations (or the people new to a type)
-- are read from the index alone instead of one table row each, scattered
-- over the whole participants table (docs/scale.md). Each replaces an
-- index that was a prefix of it.
CREATE INDEX participants_registered_cells ON participants(registered_on, deleted, site_id, sex, birth_year, has_disability, displacement);
DROP INDEX participants_registered;
CREATE INDEX participants_cells ON participants(id, deleted, sex, birth_year, has_disability, displacement);
CREATE INDEX first_presences_by_day_sites ON first_presences(activity_type_id, unflagged, first_on, participant_id, site_id);
DROP INDEX first_presences_by_day;

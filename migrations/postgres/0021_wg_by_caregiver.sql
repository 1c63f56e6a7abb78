-- The Washington Group short set is for ages 5 and over; for a child a
-- caregiver often answers, and the screen says so.
ALTER TABLE participants ADD COLUMN wg_by_caregiver BIGINT NOT NULL DEFAULT 0;

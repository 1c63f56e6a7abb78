-- Exact distinct counts in milliseconds (docs/design.md §3, "How the
-- figures are computed"). Each participant present gets a dense number, and
-- each period bucket × site × activity type keeps the people present as one
-- compact sorted run of (number, attendances, unflagged attendances,
-- birth year, sex / disability / displacement): a bitmap that carries the
-- counts the figures need. Kept in step with the records by
-- rollups::store::contribute, in the same transaction.
CREATE TABLE participant_numbers (
    number BIGSERIAL PRIMARY KEY,
    participant_id TEXT NOT NULL UNIQUE
);

CREATE TABLE presence_month_sets (
    month TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    activity_type_id BIGINT NOT NULL,
    members BYTEA NOT NULL,
    PRIMARY KEY (month, site_id, activity_type_id)
);

-- The same per day: the days at the edges of a range and weeks read these.
CREATE TABLE presence_day_sets (
    day TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    activity_type_id BIGINT NOT NULL,
    members BYTEA NOT NULL,
    PRIMARY KEY (day, site_id, activity_type_id)
);

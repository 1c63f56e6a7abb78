-- Month locks: a site's month, closed after review. Pushes that would
-- change a record dated in it are refused until an admin unlocks it.
CREATE TABLE month_locks (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    month TEXT NOT NULL,
    locked_by INTEGER NOT NULL REFERENCES users(id),
    locked_at INTEGER NOT NULL,
    PRIMARY KEY (site_id, month)
);

-- Targets: an indicator for a site (or the programme, site_id NULL) over a period.
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL,
    site_id INTEGER REFERENCES sites(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value INTEGER NOT NULL,
    set_by INTEGER NOT NULL REFERENCES users(id),
    set_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX targets_one_per_scope ON targets(indicator, COALESCE(site_id, 0), period_start, period_end);

-- Rollups for the figures (see figures::rollup), maintained in the same
-- transaction as the records they summarise.

-- Who was present, per month, site and activity type, with how many
-- attendances (all live records, and live records not flagged). Unique
-- counts are COUNT(DISTINCT participant_id) over these rows: far fewer than
-- attendances, and still exact at any level.
CREATE TABLE presence_months (
    month TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    activity_type_id INTEGER NOT NULL,
    participant_id TEXT NOT NULL,
    attendances INTEGER NOT NULL,
    unflagged INTEGER NOT NULL,
    -- The participant's attributes, copied so figures need no join with
    -- participants; kept in step when a participant is edited.
    sex TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    has_disability INTEGER NOT NULL,
    displacement TEXT NOT NULL,
    PRIMARY KEY (month, site_id, activity_type_id, participant_id)
);
CREATE INDEX presence_months_participant ON presence_months(participant_id);

-- Summable counts per day, site, activity type and flagged-or-not.
CREATE TABLE activity_days (
    day TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    activity_type_id INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    activities INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    attendances INTEGER NOT NULL,
    tally_disabled INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, activity_type_id, flagged)
);

CREATE TABLE tally_days (
    day TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    activity_type_id INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, activity_type_id, flagged, sex, age_band)
);

CREATE INDEX participants_registered ON participants(registered_on);

-- One thing that happened: a group session, a CFS day or an awareness event.
CREATE TABLE activity_records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day')),
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    group_id TEXT REFERENCES activity_groups(id),
    occurred_on TEXT NOT NULL,
    start_time TEXT,
    duration_minutes INTEGER NOT NULL,
    topic TEXT,
    place_note TEXT,
    notes TEXT,
    materials TEXT,
    -- Head-count extras: how many of the tallied people have a disability.
    tally_disabled INTEGER NOT NULL DEFAULT 0,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    device_recorded_at TEXT,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    review_status TEXT NOT NULL DEFAULT 'submitted' CHECK (review_status IN ('submitted', 'approved', 'flagged')),
    review_comment TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL
);
CREATE INDEX activity_records_site_date ON activity_records(site_id, occurred_on);
CREATE INDEX activity_records_recorder ON activity_records(recorded_by);

CREATE TABLE record_facilitators (
    record_id TEXT NOT NULL REFERENCES activity_records(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (record_id, user_id)
);

-- Participant-presences at individually recorded activities.
CREATE TABLE attendances (
    record_id TEXT NOT NULL REFERENCES activity_records(id),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    PRIMARY KEY (record_id, participant_id)
);
CREATE INDEX attendances_participant ON attendances(participant_id);

-- Head counts by sex and age band.
CREATE TABLE tallies (
    record_id TEXT NOT NULL REFERENCES activity_records(id),
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),
    age_band TEXT NOT NULL CHECK (age_band IN ('0-5', '6-11', '12-17', '18-24', '25-59', '60+')),
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (record_id, sex, age_band)
);

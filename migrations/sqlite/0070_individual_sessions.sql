-- Individual sessions (issue 17): a fourth kind of activity type and of
-- record, one participant and no group.
--
-- SQLite cannot change a CHECK constraint in place, so activity_types and
-- activity_records are rebuilt with the same columns in the same order.
-- Foreign keys stay on during migrations (every pooled connection turns them
-- on, and PRAGMA foreign_keys cannot change inside the migration's
-- transaction), so the rebuild defers them instead: dropping a parent table
-- counts its children (groups, attendances, facilitators, head counts) as
-- orphans, putting every parent row back counts them as matched again, and
-- the commit fails unless none is left. Indexes go with a dropped table and
-- are made again below; neither table has triggers or views on it.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE kept_activity_types AS SELECT * FROM activity_types;
CREATE TEMP TABLE kept_activity_records AS SELECT * FROM activity_records;
DROP TABLE activity_records;
DROP TABLE activity_types;

CREATE TABLE activity_types (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day', 'individual_session')),
    code TEXT NOT NULL UNIQUE,
    label_en TEXT NOT NULL,
    label_ar TEXT NOT NULL,
    label_ckb TEXT NOT NULL,
    cycle_sessions INTEGER CHECK (cycle_sessions IS NULL OR cycle_sessions > 0),
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO activity_types (id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active)
    SELECT id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active FROM kept_activity_types;

CREATE TABLE activity_records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day', 'individual_session')),
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
INSERT INTO activity_records (id, kind, activity_type_id, site_id, group_id, occurred_on, start_time, duration_minutes,
        topic, place_note, notes, materials, tally_disabled, recorded_by, device_recorded_at, received_at, updated_at,
        version, review_status, review_comment, deleted, payload)
    SELECT id, kind, activity_type_id, site_id, group_id, occurred_on, start_time, duration_minutes,
        topic, place_note, notes, materials, tally_disabled, recorded_by, device_recorded_at, received_at, updated_at,
        version, review_status, review_comment, deleted, payload
    FROM kept_activity_records;
CREATE INDEX activity_records_site_date ON activity_records(site_id, occurred_on);
CREATE INDEX activity_records_recorder ON activity_records(recorded_by);
CREATE INDEX activity_records_date ON activity_records(occurred_on);

DROP TABLE kept_activity_records;
DROP TABLE kept_activity_types;

-- Three types to start with; admins add or rename them like any other.
-- Arabic and Sorani labels want review by native speakers.
INSERT INTO activity_types (kind, code, label_en, label_ar, label_ckb) VALUES
    ('individual_session', 'IND-PSS', 'Individual PSS session', 'جلسة دعم نفسي اجتماعي فردية', 'دانیشتنی تاکەکەسیی پاڵپشتیی دەروونی-کۆمەڵایەتی'),
    ('individual_session', 'IND-COUNS', 'Individual counselling', 'إرشاد نفسي فردي', 'ڕاوێژکاریی دەروونیی تاکەکەسی'),
    ('individual_session', 'PFA', 'Psychological first aid', 'الإسعافات الأولية النفسية', 'فریاکەوتنی سەرەتایی دەروونی')
ON CONFLICT (code) DO NOTHING;

-- The new types reach phones through the change feed, at a fresh clock
-- value every cursor is behind.
UPDATE sync_clock SET seq = seq + 1 WHERE id = 1;
INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id)
    SELECT 'activity_type', CAST(id AS TEXT), (SELECT seq FROM sync_clock WHERE id = 1), NULL, NULL
    FROM activity_types WHERE kind = 'individual_session';

-- Activity types: one of three kinds, with labels in each language and, for
-- group sessions, how many sessions count as "completed the cycle".
CREATE TABLE activity_types (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day')),
    code TEXT NOT NULL UNIQUE,
    label_en TEXT NOT NULL,
    label_ar TEXT NOT NULL,
    label_ckb TEXT NOT NULL,
    cycle_sessions INTEGER CHECK (cycle_sessions IS NULL OR cycle_sessions > 0),
    active INTEGER NOT NULL DEFAULT 1
);

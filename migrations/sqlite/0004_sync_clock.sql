-- The sync cursor. Every write that phones must learn about takes the next
-- value of this one-row clock inside its transaction; the row lock it takes
-- is held until commit, so values become visible in commit order and a
-- phone paging by cursor never skips a write that committed late.
CREATE TABLE sync_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO sync_clock (id, seq) VALUES (1, 0);

-- One row per syncable thing, carrying the clock value of its latest change.
-- site_id scopes it; user_id, when set, limits it to that user (own records).
CREATE TABLE sync_changes (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    site_id INTEGER,
    user_id INTEGER,
    PRIMARY KEY (entity, entity_id)
);
CREATE INDEX sync_changes_seq ON sync_changes(seq);

-- Participant-code prefixes handed to phones (see participants::code).
CREATE TABLE device_prefixes (
    id INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- What existed before the clock (seeded activity types, any sites) is the
-- first change phones pull.
UPDATE sync_clock SET seq = 1;
INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id)
    SELECT 'activity_type', CAST(id AS TEXT), 1, NULL, NULL FROM activity_types;
INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id)
    SELECT 'site', CAST(id AS TEXT), 1, id, NULL FROM sites;

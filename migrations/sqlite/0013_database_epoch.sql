-- The database's identity. Phones carry it in their pull cursor; a restore
-- from a backup gives the database a new one (`sijil restore`,
-- `sijil mark-restored`), so phones learn that it went back in time, start
-- over, and offer again what they sent since the backup.
CREATE TABLE database_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO database_epoch (id, epoch) VALUES (1, lower(hex(randomblob(8))));

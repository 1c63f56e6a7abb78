-- When a participant or group moves to another site, the phones of the
-- site it left must drop it (they hold names and answers about her that
-- the new site's staff may see, but the old site's no longer need). A
-- departure is that news: the entity left site_id at seq. Pulls read it
-- beside sync_changes, as a deletion for the old site's phones.
CREATE TABLE sync_departures (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id, site_id)
);
CREATE INDEX sync_departures_seq ON sync_departures(seq);

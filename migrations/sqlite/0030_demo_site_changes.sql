-- `sijil demo` once wrote its sites without change entries, so phones never
-- pulled them (a demo trainer had no site to record at). Give every site
-- that has no entry one now, at a fresh clock value every cursor is behind.
UPDATE sync_clock SET seq = seq + 1 WHERE id = 1;
INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id)
    SELECT 'site', CAST(s.id AS TEXT), (SELECT seq FROM sync_clock WHERE id = 1), s.id, NULL
    FROM sites s
    WHERE NOT EXISTS (
        SELECT 1 FROM sync_changes c WHERE c.entity = 'site' AND c.entity_id = CAST(s.id AS TEXT)
    );

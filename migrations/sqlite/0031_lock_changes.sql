-- Month locks now reach phones through the change feed (entity `lock`,
-- id `<site_id>:<YYYY-MM>`). The locks that stand already get their entry
-- here, at a fresh clock value every cursor is behind.
UPDATE sync_clock SET seq = seq + 1 WHERE id = 1;
INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id)
    SELECT 'lock', CAST(site_id AS TEXT) || ':' || month, (SELECT seq FROM sync_clock WHERE id = 1), site_id, NULL
    FROM month_locks;

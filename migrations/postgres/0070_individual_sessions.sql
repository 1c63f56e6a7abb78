-- Individual sessions (issue 17): a fourth kind of activity type and of
-- record, one participant and no group. (SQLite rebuilds both tables for
-- this; PostgreSQL changes the CHECK constraints in place.)
ALTER TABLE activity_types DROP CONSTRAINT activity_types_kind_check;
ALTER TABLE activity_types ADD CONSTRAINT activity_types_kind_check
    CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day', 'individual_session'));
ALTER TABLE activity_records DROP CONSTRAINT activity_records_kind_check;
ALTER TABLE activity_records ADD CONSTRAINT activity_records_kind_check
    CHECK (kind IN ('group_session', 'awareness_event', 'cfs_day', 'individual_session'));

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

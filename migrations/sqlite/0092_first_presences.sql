-- "New to an activity type" in O(new people), not O(history) (docs/design.md
-- §3): each participant's first live presence at each activity type, the
-- lowest site id present that day, once counting flagged records
-- (unflagged = 0) and once leaving them out (unflagged = 1; no row when
-- every presence is flagged). A type or kind filter's new participants are
-- the rows whose first day falls in the period with no earlier first day at
-- another of the types. Kept in step by rollups::store::contribute in the
-- record's transaction; filled here from the records as they stand.
CREATE TABLE first_presences (
    participant_id TEXT NOT NULL,
    activity_type_id INTEGER NOT NULL,
    unflagged INTEGER NOT NULL,
    first_on TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    PRIMARY KEY (participant_id, activity_type_id, unflagged)
);
CREATE INDEX first_presences_by_day ON first_presences(activity_type_id, unflagged, first_on);

INSERT INTO first_presences (participant_id, activity_type_id, unflagged, first_on, site_id)
SELECT f.participant_id, f.activity_type_id, 0, f.first_on, MIN(r.site_id)
FROM (SELECT a.participant_id AS participant_id, r.activity_type_id AS activity_type_id, MIN(r.occurred_on) AS first_on
      FROM attendances a JOIN activity_records r ON r.id = a.record_id
      WHERE r.deleted = 0
      GROUP BY a.participant_id, r.activity_type_id) f
CROSS JOIN attendances a
CROSS JOIN activity_records r
WHERE a.participant_id = f.participant_id AND r.id = a.record_id AND r.activity_type_id = f.activity_type_id AND r.occurred_on = f.first_on AND r.deleted = 0
GROUP BY f.participant_id, f.activity_type_id, f.first_on;

INSERT INTO first_presences (participant_id, activity_type_id, unflagged, first_on, site_id)
SELECT f.participant_id, f.activity_type_id, 1, f.first_on, MIN(r.site_id)
FROM (SELECT a.participant_id AS participant_id, r.activity_type_id AS activity_type_id, MIN(r.occurred_on) AS first_on
      FROM attendances a JOIN activity_records r ON r.id = a.record_id
      WHERE r.deleted = 0 AND r.review_status <> 'flagged'
      GROUP BY a.participant_id, r.activity_type_id) f
CROSS JOIN attendances a
CROSS JOIN activity_records r
WHERE a.participant_id = f.participant_id AND r.id = a.record_id AND r.activity_type_id = f.activity_type_id AND r.occurred_on = f.first_on AND r.deleted = 0 AND r.review_status <> 'flagged'
GROUP BY f.participant_id, f.activity_type_id, f.first_on;

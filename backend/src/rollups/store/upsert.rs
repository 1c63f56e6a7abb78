//! How a rollup row takes what is offered to it, shared by one record's
//! contribution ([`super::contribute`]) and a batch's ([`super::add_many`]):
//! both paths must add to a row the same way.

/// Adds the offered attendances to a participant's month row.
pub(super) const ADD_TO_PRESENCE_MONTH: &str =
    "ON CONFLICT (month, site_id, activity_type_id, participant_id) DO UPDATE
     SET attendances = presence_months.attendances + excluded.attendances, unflagged = presence_months.unflagged + excluded.unflagged";

/// Keeps the earlier first day (the lower site on the same day) of what is
/// stored and what is offered: an upsert that commutes with other writers.
pub(super) const KEEP_EARLIER_FIRST_PRESENCE: &str =
    "ON CONFLICT (participant_id, activity_type_id, unflagged) DO UPDATE
     SET first_on = excluded.first_on, site_id = excluded.site_id
     WHERE excluded.first_on < first_presences.first_on
        OR (excluded.first_on = first_presences.first_on AND excluded.site_id < first_presences.site_id)";

/// Adds the offered sums to an activity rollup row (`activity_days` or
/// `activity_months`, keyed by `column`).
pub(super) fn add_to_activities(table: &str, column: &str) -> String {
    format!(
        "ON CONFLICT ({column}, site_id, activity_type_id, flagged) DO UPDATE
         SET activities = {table}.activities + excluded.activities, minutes = {table}.minutes + excluded.minutes,
             attendances = {table}.attendances + excluded.attendances, tally_disabled = {table}.tally_disabled + excluded.tally_disabled"
    )
}

/// Adds the offered head count to a tally rollup row.
pub(super) fn add_to_tallies(table: &str, column: &str) -> String {
    format!(
        "ON CONFLICT ({column}, site_id, activity_type_id, flagged, sex, age_band) DO UPDATE
         SET count = {table}.count + excluded.count"
    )
}

/// Leaves a set row that is already there as it is (the empty set offered
/// only makes sure there is a row to hold).
pub(super) fn keep_existing_set(column: &str) -> String {
    format!("ON CONFLICT ({column}, site_id, activity_type_id) DO NOTHING")
}

/// Writes a set's new members (`$4`) over its row.
pub(super) fn replace_set(table: &str, column: &str) -> String {
    format!(
        "UPDATE {table} SET members = $4 WHERE {column} = $1 AND site_id = $2 AND activity_type_id = $3"
    )
}

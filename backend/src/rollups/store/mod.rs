//! The SQL of the rollups: add or remove one record's contribution (here),
//! add a whole push's new contributions at once ([`many`]), copy a
//! participant's attributes into the presence rows, rebuild everything
//! ([`rebuild`]).

mod many;
mod rebuild;
mod upsert;

use sqlx::AnyConnection;

pub use many::add_many;
pub use rebuild::{rebuild, rebuild_sets};

use super::model::{Contribution, Sign};
use super::sets::{self, Attributes, Member};
use upsert::{
    add_to_activities, add_to_tallies, keep_existing_set, replace_set, ADD_TO_PRESENCE_MONTH,
    KEEP_EARLIER_FIRST_PRESENCE,
};

/// Adds ([`Sign::Add`]) or removes ([`Sign::Remove`]) what record `id`
/// contributes to the rollups: `at` says where and how it counts, its
/// attendances and head counts are read from its rows as they stand.
pub async fn contribute(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    presences(conn, id, at, sign).await?;
    presence_sets(conn, id, at, sign).await?;
    first_presences(conn, id, at, sign).await?;
    activity_day(conn, id, at, sign).await?;
    tally_days(conn, id, at, sign).await
}

/// Each attendee's presence in the record's month, site and type.
async fn presences(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let sign = sign.value();
    let unflagged = if at.flagged { 0 } else { sign };
    let month = at.month();
    // On PostgreSQL, pushes of different sites run side by side: holding
    // the people counted (FOR SHARE) until commit makes an edit of one of
    // them wait, so the attributes copied here are never stale (and an edit
    // already under way is waited for, then read).
    let hold = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        " FOR SHARE OF p"
    } else {
        ""
    };
    sqlx::query(&format!(
        "INSERT INTO presence_months (month, site_id, activity_type_id, participant_id, attendances, unflagged, sex, birth_year, has_disability, displacement)
         SELECT $1, $2, $3, a.participant_id, $4, $5, p.sex, p.birth_year, p.has_disability, p.displacement
         FROM attendances a JOIN participants p ON p.id = a.participant_id WHERE a.record_id = $6{hold}
         {ADD_TO_PRESENCE_MONTH}",
    ))
    .bind(month)
    .bind(at.site_id)
    .bind(at.activity_type_id)
    .bind(sign)
    .bind(unflagged)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if sign < 0 {
        sqlx::query(
            "DELETE FROM presence_months WHERE month = $1 AND site_id = $2 AND activity_type_id = $3 AND attendances <= 0
               AND participant_id IN (SELECT participant_id FROM attendances WHERE record_id = $4)",
        )
        .bind(month)
        .bind(at.site_id)
        .bind(at.activity_type_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Each attendee's first presence at the record's type (`first_presences`,
/// once with flagged records and once without). Adding keeps the earlier
/// day (and the lower site on the same day): an upsert that commutes with
/// other writers. Removing matters only to those whose first day is this
/// record's: their first presence is read again from their other live
/// records, with the row held first (`FOR UPDATE` on PostgreSQL) so a push
/// adding an earlier presence side by side either lands before the read
/// (and is seen) or waits and keeps the earlier day itself.
async fn first_presences(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let kinds: &[i64] = if at.flagged { &[0] } else { &[0, 1] };
    for &unflagged in kinds {
        match sign {
            Sign::Add => {
                sqlx::query(&format!(
                    "INSERT INTO first_presences (participant_id, activity_type_id, unflagged, first_on, site_id)
                     SELECT DISTINCT a.participant_id, $1, $2, $3, $4 FROM attendances a WHERE a.record_id = $5
                     {KEEP_EARLIER_FIRST_PRESENCE}",
                ))
                .bind(at.activity_type_id)
                .bind(unflagged)
                .bind(&at.day)
                .bind(at.site_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            Sign::Remove => {
                let hold = if conn.backend_name() == "PostgreSQL" {
                    " FOR UPDATE OF f"
                } else {
                    ""
                };
                let affected: Vec<String> = sqlx::query_scalar(&format!(
                    "SELECT f.participant_id FROM first_presences f
                     WHERE f.activity_type_id = $1 AND f.unflagged = $2 AND f.first_on = $3
                       AND f.participant_id IN (SELECT a.participant_id FROM attendances a WHERE a.record_id = $4)
                     ORDER BY f.participant_id{hold}"
                ))
                .bind(at.activity_type_id)
                .bind(unflagged)
                .bind(&at.day)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let unflagged_only = if unflagged == 1 {
                    " AND r.review_status <> 'flagged'"
                } else {
                    ""
                };
                for participant in affected {
                    let first: Option<(String, i64)> = sqlx::query_as(&format!(
                        "SELECT r.occurred_on, MIN(r.site_id) FROM attendances a JOIN activity_records r ON r.id = a.record_id
                         WHERE a.participant_id = $1 AND r.activity_type_id = $2 AND r.deleted = 0 AND r.id <> $3{unflagged_only}
                         GROUP BY r.occurred_on ORDER BY r.occurred_on LIMIT 1"
                    ))
                    .bind(&participant)
                    .bind(at.activity_type_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    match first {
                        Some((first_on, site_id)) => sqlx::query(
                            "UPDATE first_presences SET first_on = $4, site_id = $5
                             WHERE participant_id = $1 AND activity_type_id = $2 AND unflagged = $3",
                        )
                        .bind(&participant)
                        .bind(at.activity_type_id)
                        .bind(unflagged)
                        .bind(first_on)
                        .bind(site_id),
                        None => sqlx::query(
                            "DELETE FROM first_presences WHERE participant_id = $1 AND activity_type_id = $2 AND unflagged = $3",
                        )
                        .bind(&participant)
                        .bind(at.activity_type_id)
                        .bind(unflagged),
                    }
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The record's minutes, attendances and disabled head count on its day
/// and in its month.
async fn activity_day(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let sign = sign.value();
    let attendances: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM attendances WHERE record_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    for (table, column, key) in [
        ("activity_days", "day", at.day.as_str()),
        ("activity_months", "month", at.month()),
    ] {
        sqlx::query(&format!(
            "INSERT INTO {table} ({column}, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             {}",
            add_to_activities(table, column),
        ))
        .bind(key)
        .bind(at.site_id)
        .bind(at.activity_type_id)
        .bind(at.flagged as i64)
        .bind(sign)
        .bind(sign * at.minutes)
        .bind(sign * attendances)
        .bind(sign * at.tally_disabled)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The record's head counts by sex and age band on its day and in its month.
async fn tally_days(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let sign = sign.value();
    for (table, column, key) in [
        ("tally_days", "day", at.day.as_str()),
        ("tally_months", "month", at.month()),
    ] {
        sqlx::query(&format!(
            "INSERT INTO {table} ({column}, site_id, activity_type_id, flagged, sex, age_band, count)
             SELECT $1, $2, $3, $4, sex, age_band, $5 * count FROM tallies WHERE record_id = $6
             {}",
            add_to_tallies(table, column),
        ))
        .bind(key)
        .bind(at.site_id)
        .bind(at.activity_type_id)
        .bind(at.flagged as i64)
        .bind(sign)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The tables of presence sets and their period column.
const SET_TABLES: [(&str, &str); 2] = [
    ("presence_month_sets", "month"),
    ("presence_day_sets", "day"),
];

/// Each attendee of record `id` in the record's month and day sets. Every
/// attendee gets a dense number first (kept for good: the sets name people
/// by it).
async fn presence_sets(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    // NOT EXISTS first: PostgreSQL spends a sequence value on every row
    // offered to an INSERT, conflicting or not, and the numbers stay dense.
    sqlx::query(
        "INSERT INTO participant_numbers (participant_id)
         SELECT a.participant_id FROM attendances a WHERE a.record_id = $1
           AND NOT EXISTS (SELECT 1 FROM participant_numbers n WHERE n.participant_id = a.participant_id)
         ON CONFLICT (participant_id) DO NOTHING",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<(i64, String, i64, i64, String)> = sqlx::query_as(
        "SELECT n.number, p.sex, p.birth_year, p.has_disability, p.displacement
         FROM attendances a JOIN participants p ON p.id = a.participant_id JOIN participant_numbers n ON n.participant_id = a.participant_id
         WHERE a.record_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut present = rows.iter().map(member_of).collect::<Result<Vec<_>, _>>()?;
    present.sort_unstable();
    for ((table, column), key) in SET_TABLES.iter().zip([at.month(), at.day.as_str()]) {
        patch(
            conn,
            table,
            column,
            (key, at.site_id, at.activity_type_id),
            |members| sets::apply(members, &present, sign.value(), at.flagged),
        )
        .await?;
    }
    Ok(())
}

/// A participant's number and the attributes a set carries.
fn member_of(row: &(i64, String, i64, i64, String)) -> Result<(u32, i32, u8), sqlx::Error> {
    let (number, sex, birth_year, disability, displacement) = row;
    let attributes = Attributes::from_columns(sex, *disability, displacement).ok_or_else(|| {
        sqlx::Error::Decode(format!("participant attributes {sex} / {displacement}").into())
    })?;
    let number = u32::try_from(*number).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok((number, *birth_year as i32, attributes.code()))
}

/// Reads, changes and writes back one set, holding its row: on PostgreSQL
/// `FOR UPDATE` makes a second writer of the same bucket wait for the first
/// to commit and then read what it wrote (READ COMMITTED); SQLite has one
/// writer at a time. An empty set is deleted.
async fn patch(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    (key, site_id, activity_type_id): (&str, i64, i64),
    change: impl FnOnce(&mut Vec<Member>),
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO {table} ({column}, site_id, activity_type_id, members) VALUES ($1, $2, $3, $4)
         {}",
        keep_existing_set(column)
    ))
    .bind(key)
    .bind(site_id)
    .bind(activity_type_id)
    .bind(sets::encode(&[]))
    .execute(&mut *conn)
    .await?;
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    let bytes: Vec<u8> = sqlx::query_scalar(&format!(
        "SELECT members FROM {table} WHERE {column} = $1 AND site_id = $2 AND activity_type_id = $3{lock}"
    ))
    .bind(key)
    .bind(site_id)
    .bind(activity_type_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut members = sets::decode(&bytes).ok_or_else(|| {
        sqlx::Error::Decode(format!("{table} {key} {site_id} {activity_type_id}: not a set").into())
    })?;
    change(&mut members);
    if members.is_empty() {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE {column} = $1 AND site_id = $2 AND activity_type_id = $3"
        ))
        .bind(key)
        .bind(site_id)
        .bind(activity_type_id)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(&replace_set(table, column))
            .bind(key)
            .bind(site_id)
            .bind(activity_type_id)
            .bind(sets::encode(&members))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Copies participant `id`'s current attributes into the presence rollup
/// and every presence set she is in (after an edit of her sex, birth year,
/// disability or displacement).
pub async fn participant_changed(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    let row: Option<(i64, String, i64, i64, String)> = sqlx::query_as(
        "SELECT n.number, p.sex, p.birth_year, p.has_disability, p.displacement
         FROM participant_numbers n JOIN participants p ON p.id = n.participant_id WHERE n.participant_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        let (number, birth_year, attributes) = member_of(&row)?;
        let months: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT month, site_id, activity_type_id FROM presence_months WHERE participant_id = $1 ORDER BY 1, 2, 3",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let days: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT DISTINCT r.occurred_on, r.site_id, r.activity_type_id
             FROM attendances a JOIN activity_records r ON r.id = a.record_id
             WHERE a.participant_id = $1 AND r.deleted = 0 ORDER BY 1, 2, 3",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for ((table, column), buckets) in SET_TABLES.iter().zip([months, days]) {
            for (key, site_id, activity_type_id) in buckets {
                patch(
                    conn,
                    table,
                    column,
                    (&key, site_id, activity_type_id),
                    |members| {
                        sets::relabel(members, number, birth_year, attributes);
                    },
                )
                .await?;
            }
        }
    }
    sqlx::query(
        "UPDATE presence_months SET sex = (SELECT sex FROM participants WHERE id = $1), birth_year = (SELECT birth_year FROM participants WHERE id = $1),
             has_disability = (SELECT has_disability FROM participants WHERE id = $1), displacement = (SELECT displacement FROM participants WHERE id = $1)
         WHERE participant_id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

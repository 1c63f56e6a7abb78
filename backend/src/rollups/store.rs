//! The SQL of the rollups: add or remove one record's contribution, copy a
//! participant's attributes into the presence rows, rebuild everything.

use sqlx::AnyConnection;

use super::model::{Contribution, Sign};

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
         ON CONFLICT (month, site_id, activity_type_id, participant_id) DO UPDATE
         SET attendances = presence_months.attendances + excluded.attendances, unflagged = presence_months.unflagged + excluded.unflagged",
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

/// The record's minutes, attendances and disabled head count on its day.
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
    sqlx::query(
        "INSERT INTO activity_days (day, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (day, site_id, activity_type_id, flagged) DO UPDATE
         SET activities = activity_days.activities + excluded.activities, minutes = activity_days.minutes + excluded.minutes,
             attendances = activity_days.attendances + excluded.attendances, tally_disabled = activity_days.tally_disabled + excluded.tally_disabled",
    )
    .bind(&at.day)
    .bind(at.site_id)
    .bind(at.activity_type_id)
    .bind(at.flagged as i64)
    .bind(sign)
    .bind(sign * at.minutes)
    .bind(sign * attendances)
    .bind(sign * at.tally_disabled)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The record's head counts by sex and age band on its day.
async fn tally_days(
    conn: &mut AnyConnection,
    id: &str,
    at: &Contribution,
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let sign = sign.value();
    sqlx::query(
        "INSERT INTO tally_days (day, site_id, activity_type_id, flagged, sex, age_band, count)
         SELECT $1, $2, $3, $4, sex, age_band, $5 * count FROM tallies WHERE record_id = $6
         ON CONFLICT (day, site_id, activity_type_id, flagged, sex, age_band) DO UPDATE SET count = tally_days.count + excluded.count",
    )
    .bind(&at.day)
    .bind(at.site_id)
    .bind(at.activity_type_id)
    .bind(at.flagged as i64)
    .bind(sign)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Copies participant `id`'s current attributes into the presence rollup
/// (after an edit of their sex, birth year, disability or displacement).
pub async fn participant_changed(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
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

/// Rebuilds every rollup from the records (after a bulk load, or to check
/// the incremental ones: the tests compare both).
pub async fn rebuild(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for table in ["presence_months", "activity_days", "tally_days"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let flagged = "CASE WHEN r.review_status = 'flagged' THEN 1 ELSE 0 END";
    sqlx::query(&format!(
        "INSERT INTO presence_months (month, site_id, activity_type_id, participant_id, attendances, unflagged, sex, birth_year, has_disability, displacement)
         SELECT SUBSTR(r.occurred_on, 1, 7), r.site_id, r.activity_type_id, a.participant_id, COUNT(*), SUM(1 - {flagged}),
                MIN(p.sex), MIN(p.birth_year), MIN(p.has_disability), MIN(p.displacement)
         FROM attendances a JOIN activity_records r ON r.id = a.record_id JOIN participants p ON p.id = a.participant_id
         WHERE r.deleted = 0
         GROUP BY SUBSTR(r.occurred_on, 1, 7), r.site_id, r.activity_type_id, a.participant_id"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO activity_days (day, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
         SELECT r.occurred_on, r.site_id, r.activity_type_id, {flagged}, COUNT(*), SUM(r.duration_minutes),
                SUM((SELECT COUNT(*) FROM attendances a WHERE a.record_id = r.id)), SUM(r.tally_disabled)
         FROM activity_records r WHERE r.deleted = 0
         GROUP BY r.occurred_on, r.site_id, r.activity_type_id, {flagged}"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO tally_days (day, site_id, activity_type_id, flagged, sex, age_band, count)
         SELECT r.occurred_on, r.site_id, r.activity_type_id, {flagged}, t.sex, t.age_band, SUM(t.count)
         FROM tallies t JOIN activity_records r ON r.id = t.record_id WHERE r.deleted = 0
         GROUP BY r.occurred_on, r.site_id, r.activity_type_id, {flagged}, t.sex, t.age_band"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

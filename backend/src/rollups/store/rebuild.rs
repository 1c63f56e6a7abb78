//! Every rollup rebuilt from the records: after a bulk load (the demo and
//! benchmark generator), and in the tests, which compare the rollups kept
//! in step with a rebuild.

use futures_util::TryStreamExt;
use sqlx::AnyConnection;

use super::{member_of, SET_TABLES};
use crate::rollups::sets::{self, Member};

/// Rebuilds every rollup from the records (after a bulk load, or to check
/// the incremental ones: the tests compare both).
pub async fn rebuild(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for table in [
        "presence_months",
        "activity_days",
        "tally_days",
        "activity_months",
        "tally_months",
        "first_presences",
    ] {
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
    sqlx::query(
        "INSERT INTO activity_months (month, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
         SELECT SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, SUM(activities), SUM(minutes), SUM(attendances), SUM(tally_disabled)
         FROM activity_days GROUP BY SUBSTR(day, 1, 7), site_id, activity_type_id, flagged",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO tally_months (month, site_id, activity_type_id, flagged, sex, age_band, count)
         SELECT SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, sex, age_band, SUM(count)
         FROM tally_days GROUP BY SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, sex, age_band",
    )
    .execute(&mut *conn)
    .await?;
    for (unflagged, condition) in [(0, ""), (1, " AND r.review_status <> 'flagged'")] {
        sqlx::query(&format!(
            "INSERT INTO first_presences (participant_id, activity_type_id, unflagged, first_on, site_id)
             SELECT f.participant_id, f.activity_type_id, {unflagged}, f.first_on, MIN(r.site_id)
             FROM (SELECT a.participant_id AS participant_id, r.activity_type_id AS activity_type_id, MIN(r.occurred_on) AS first_on
                   FROM attendances a JOIN activity_records r ON r.id = a.record_id
                   WHERE r.deleted = 0{condition}
                   GROUP BY a.participant_id, r.activity_type_id) f
             CROSS JOIN attendances a
             CROSS JOIN activity_records r
             WHERE a.participant_id = f.participant_id AND r.id = a.record_id AND r.activity_type_id = f.activity_type_id AND r.occurred_on = f.first_on AND r.deleted = 0{condition}
             GROUP BY f.participant_id, f.activity_type_id, f.first_on"
        ))
        .execute(&mut *conn)
        .await?;
    }
    rebuild_sets(conn).await
}

/// Rebuilds the presence sets from the records: numbers for everyone
/// present who has none yet (existing numbers stay), then one set per
/// month and per day, site and type.
pub async fn rebuild_sets(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO participant_numbers (participant_id)
         SELECT DISTINCT a.participant_id FROM attendances a
         WHERE NOT EXISTS (SELECT 1 FROM participant_numbers n WHERE n.participant_id = a.participant_id)
         ORDER BY a.participant_id",
    )
    .execute(&mut *conn)
    .await?;
    let flagged = "CASE WHEN r.review_status = 'flagged' THEN 1 ELSE 0 END";
    for ((table, column), period) in SET_TABLES
        .iter()
        .zip(["SUBSTR(r.occurred_on, 1, 7)", "r.occurred_on"])
    {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
        // Streamed (10 M attendances are 10 M rows a day): each bucket's
        // set is encoded as its rows pass, and written once the read ends.
        type Row = (String, i64, i64, i64, i64, i64, String, i64, i64, String);
        let sql = format!(
            "SELECT {period}, r.site_id, r.activity_type_id, n.number, CAST(COUNT(*) AS BIGINT), CAST(SUM(1 - {flagged}) AS BIGINT),
                    MIN(p.sex), MIN(p.birth_year), MIN(p.has_disability), MIN(p.displacement)
             FROM attendances a JOIN activity_records r ON r.id = a.record_id JOIN participants p ON p.id = a.participant_id
                  JOIN participant_numbers n ON n.participant_id = a.participant_id
             WHERE r.deleted = 0
             GROUP BY {period}, r.site_id, r.activity_type_id, n.number
             ORDER BY 1, 2, 3, 4"
        );
        let mut encoded: Vec<(String, i64, i64, Vec<u8>)> = vec![];
        let mut current: Option<(String, i64, i64)> = None;
        let mut members: Vec<Member> = vec![];
        {
            let mut rows = sqlx::query_as::<_, Row>(&sql).fetch(&mut *conn);
            while let Some(row) = rows.try_next().await? {
                let (
                    key,
                    site,
                    activity_type,
                    number,
                    attendances,
                    unflagged,
                    sex,
                    birth_year,
                    disability,
                    displacement,
                ) = row;
                let bucket = (key, site, activity_type);
                if current.as_ref() != Some(&bucket) {
                    if let Some((k, s, t)) = current.take() {
                        encoded.push((k, s, t, sets::encode(&members)));
                        members.clear();
                    }
                    current = Some(bucket);
                }
                let (number, birth_year, attributes) =
                    member_of(&(number, sex, birth_year, disability, displacement))?;
                members.push(Member {
                    number,
                    attendances: attendances as u32,
                    unflagged: unflagged as u32,
                    birth_year,
                    attributes,
                });
            }
        }
        if let Some((k, s, t)) = current.take() {
            encoded.push((k, s, t, sets::encode(&members)));
        }
        for (key, site, activity_type, bytes) in encoded {
            sqlx::query(&format!(
                "INSERT INTO {table} ({column}, site_id, activity_type_id, members) VALUES ($1, $2, $3, $4)"
            ))
            .bind(key)
            .bind(site)
            .bind(activity_type)
            .bind(bytes)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

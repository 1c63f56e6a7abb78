//! A push's new contributions added at once. Added one record at a time
//! ([`super::contribute`]), a record costs about sixteen statements in the
//! rollups, most of a push's time; here the records of a batch take a
//! fixed number of statements together, plus one update per presence set
//! they touch. Only additions, as the records' rows stand: exactly what
//! `contribute(…, Sign::Add)` adds once a record's rows are written (its
//! site, type, day, minutes, head counts, attendances, flagged or not).

use std::collections::BTreeMap;

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, AnyConnection};

use super::upsert::{
    add_to_activities, add_to_tallies, keep_existing_set, replace_set, ADD_TO_PRESENCE_MONTH,
    KEEP_EARLIER_FIRST_PRESENCE,
};
use super::{member_of, SET_TABLES};
use crate::rollups::sets::{self, Member};
use crate::store::placeholders;

/// Rows of values bound in one statement: first presences take five values
/// a row, and SQLite binds at most 32,766 values per statement.
const ROWS_PER_STATEMENT: usize = 1000;

/// The flagged switch of a record row `r`, as the rollups key it.
const FLAGGED: &str = "CAST(CASE WHEN r.review_status = 'flagged' THEN 1 ELSE 0 END AS BIGINT)";

/// Adds what each of records `ids` contributes (live records, each named
/// once, whose contribution is not in the rollups yet).
pub async fn add_many(conn: &mut AnyConnection, ids: &[String]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let among = format!("IN ({})", placeholders(1, ids.len()));
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        // As for one record: the people counted are held until commit, so
        // an edit of one of them waits and the attributes copied below are
        // not stale. In id order, the same for every writer.
        bind(
            &format!(
                "SELECT p.id FROM participants p
                 WHERE p.id IN (SELECT a.participant_id FROM attendances a WHERE a.record_id {among})
                 ORDER BY p.id FOR SHARE"
            ),
            ids,
        )
        .execute(&mut *conn)
        .await?;
    }
    presences(conn, &among, ids).await?;
    activities(conn, &among, ids).await?;
    tallies(conn, &among, ids).await?;
    bind(
        &format!(
            "INSERT INTO participant_numbers (participant_id)
             SELECT DISTINCT a.participant_id FROM attendances a WHERE a.record_id {among}
               AND NOT EXISTS (SELECT 1 FROM participant_numbers n WHERE n.participant_id = a.participant_id)
             ORDER BY a.participant_id
             ON CONFLICT (participant_id) DO NOTHING"
        ),
        ids,
    )
    .execute(&mut *conn)
    .await?;
    let rows: Vec<PresenceRow> = bind_as(
        &format!(
            "SELECT r.occurred_on, r.site_id, r.activity_type_id, {FLAGGED}, a.participant_id,
                    n.number, p.sex, p.birth_year, p.has_disability, p.displacement
             FROM attendances a JOIN activity_records r ON r.id = a.record_id
                  JOIN participants p ON p.id = a.participant_id
                  JOIN participant_numbers n ON n.participant_id = a.participant_id
             WHERE a.record_id {among}"
        ),
        ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    first_presences(conn, &rows).await?;
    presence_sets(conn, &rows).await
}

/// One attendance of the batch: day, site, type, flagged, participant, and
/// her number and attributes.
type PresenceRow = (String, i64, i64, i64, String, i64, String, i64, i64, String);

fn bind<'q>(sql: &'q str, ids: &'q [String]) -> Query<'q, Any, AnyArguments<'q>> {
    ids.iter().fold(sqlx::query(sql), |q, id| q.bind(id))
}

fn bind_as<'q, T>(sql: &'q str, ids: &'q [String]) -> QueryAs<'q, Any, T, AnyArguments<'q>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    ids.iter().fold(sqlx::query_as(sql), |q, id| q.bind(id))
}

/// Each attendee's presences per month, site and type.
async fn presences(
    conn: &mut AnyConnection,
    among: &str,
    ids: &[String],
) -> Result<(), sqlx::Error> {
    bind(
        &format!(
            "INSERT INTO presence_months (month, site_id, activity_type_id, participant_id, attendances, unflagged, sex, birth_year, has_disability, displacement)
             SELECT SUBSTR(r.occurred_on, 1, 7), r.site_id, r.activity_type_id, a.participant_id, COUNT(*), SUM(1 - {FLAGGED}),
                    MIN(p.sex), MIN(p.birth_year), MIN(p.has_disability), MIN(p.displacement)
             FROM attendances a JOIN activity_records r ON r.id = a.record_id JOIN participants p ON p.id = a.participant_id
             WHERE a.record_id {among}
             GROUP BY SUBSTR(r.occurred_on, 1, 7), r.site_id, r.activity_type_id, a.participant_id
             {ADD_TO_PRESENCE_MONTH}"
        ),
        ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Activities, minutes, attendances and disabled head counts per day and
/// per month.
async fn activities(
    conn: &mut AnyConnection,
    among: &str,
    ids: &[String],
) -> Result<(), sqlx::Error> {
    for (table, column, key) in [
        ("activity_days", "day", "r.occurred_on"),
        ("activity_months", "month", "SUBSTR(r.occurred_on, 1, 7)"),
    ] {
        bind(
            &format!(
                "INSERT INTO {table} ({column}, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
                 SELECT {key}, r.site_id, r.activity_type_id, {FLAGGED}, COUNT(*), SUM(r.duration_minutes),
                        SUM((SELECT COUNT(*) FROM attendances a WHERE a.record_id = r.id)), SUM(r.tally_disabled)
                 FROM activity_records r WHERE r.id {among}
                 GROUP BY {key}, r.site_id, r.activity_type_id, {FLAGGED}
                 {}",
                add_to_activities(table, column)
            ),
            ids,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Head counts by sex and age band per day and per month.
async fn tallies(conn: &mut AnyConnection, among: &str, ids: &[String]) -> Result<(), sqlx::Error> {
    for (table, column, key) in [
        ("tally_days", "day", "r.occurred_on"),
        ("tally_months", "month", "SUBSTR(r.occurred_on, 1, 7)"),
    ] {
        bind(
            &format!(
                "INSERT INTO {table} ({column}, site_id, activity_type_id, flagged, sex, age_band, count)
                 SELECT {key}, r.site_id, r.activity_type_id, {FLAGGED}, t.sex, t.age_band, SUM(t.count)
                 FROM tallies t JOIN activity_records r ON r.id = t.record_id WHERE t.record_id {among}
                 GROUP BY {key}, r.site_id, r.activity_type_id, {FLAGGED}, t.sex, t.age_band
                 {}",
                add_to_tallies(table, column)
            ),
            ids,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Each attendee's first presence at each type, once with flagged records
/// and once without: the earliest day of the batch (the lowest site that
/// day) offered to the same upsert as one record's, which keeps the
/// earlier of what is stored and what is offered.
async fn first_presences(
    conn: &mut AnyConnection,
    rows: &[PresenceRow],
) -> Result<(), sqlx::Error> {
    let mut first: BTreeMap<(&str, i64, i64), (&str, i64)> = BTreeMap::new();
    for (day, site_id, activity_type_id, flagged, participant, ..) in rows {
        let kinds: &[i64] = if *flagged == 1 { &[0] } else { &[0, 1] };
        for &unflagged in kinds {
            let offered = (day.as_str(), *site_id);
            first
                .entry((participant.as_str(), *activity_type_id, unflagged))
                .and_modify(|kept| *kept = (*kept).min(offered))
                .or_insert(offered);
        }
    }
    let first: Vec<_> = first.into_iter().collect();
    for chunk in first.chunks(ROWS_PER_STATEMENT) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 5 + 1, 5)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO first_presences (participant_id, activity_type_id, unflagged, first_on, site_id) VALUES {values}
             {KEEP_EARLIER_FIRST_PRESENCE}"
        );
        let mut query = sqlx::query(&sql);
        for ((participant, activity_type_id, unflagged), (day, site_id)) in chunk {
            query = query
                .bind(*participant)
                .bind(*activity_type_id)
                .bind(*unflagged)
                .bind(*day)
                .bind(*site_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A presence set's key: period (`YYYY-MM` or `YYYY-MM-DD`), site, type.
type Bucket = (String, i64, i64);

/// The batch's attendees added to their month and day sets: what each set
/// gains is summed per member first, then merged into the stored set once.
async fn presence_sets(conn: &mut AnyConnection, rows: &[PresenceRow]) -> Result<(), sqlx::Error> {
    let mut months: BTreeMap<Bucket, BTreeMap<u32, Member>> = BTreeMap::new();
    let mut days: BTreeMap<Bucket, BTreeMap<u32, Member>> = BTreeMap::new();
    for (
        day,
        site_id,
        activity_type_id,
        flagged,
        _,
        number,
        sex,
        birth_year,
        disability,
        displacement,
    ) in rows
    {
        let (number, birth_year, attributes) = member_of(&(
            *number,
            sex.clone(),
            *birth_year,
            *disability,
            displacement.clone(),
        ))?;
        let unflagged = u32::from(*flagged == 0);
        for (sets, key) in [(&mut months, &day[..7]), (&mut days, day.as_str())] {
            sets.entry((key.to_string(), *site_id, *activity_type_id))
                .or_default()
                .entry(number)
                .and_modify(|m| {
                    m.attendances += 1;
                    m.unflagged += unflagged;
                })
                .or_insert(Member {
                    number,
                    attendances: 1,
                    unflagged,
                    birth_year,
                    attributes,
                });
        }
    }
    for ((table, column), gains) in SET_TABLES.iter().zip([months, days]) {
        add_to_sets(conn, table, column, gains).await?;
    }
    Ok(())
}

/// Merges `gains` into the sets of `table`, holding their rows: on
/// PostgreSQL `FOR UPDATE`, taken in key order (the same order for every
/// writer), makes a second writer of a set wait for the first to commit
/// and then read what it wrote; SQLite has one writer at a time.
async fn add_to_sets(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    gains: BTreeMap<Bucket, BTreeMap<u32, Member>>,
) -> Result<(), sqlx::Error> {
    if gains.is_empty() {
        return Ok(());
    }
    let keys: Vec<&Bucket> = gains.keys().collect();
    let rows = (0..keys.len())
        .map(|i| format!("({})", placeholders(i * 3 + 1, 3)))
        .collect::<Vec<_>>()
        .join(", ");
    let empty = sets::encode(&[]);
    let insert = format!(
        "INSERT INTO {table} ({column}, site_id, activity_type_id, members)
         VALUES {}
         {}",
        (0..keys.len())
            .map(|i| format!("({})", placeholders(i * 4 + 1, 4)))
            .collect::<Vec<_>>()
            .join(", "),
        keep_existing_set(column)
    );
    let mut query = sqlx::query(&insert);
    for (key, site_id, activity_type_id) in &keys {
        query = query
            .bind(key)
            .bind(site_id)
            .bind(activity_type_id)
            .bind(&empty);
    }
    query.execute(&mut *conn).await?;
    let lock = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        " FOR UPDATE"
    } else {
        ""
    };
    let select = format!(
        "SELECT {column}, site_id, activity_type_id, members FROM {table}
         WHERE ({column}, site_id, activity_type_id) IN ({rows})
         ORDER BY {column}, site_id, activity_type_id{lock}"
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64, Vec<u8>)>(&select);
    for (key, site_id, activity_type_id) in &keys {
        query = query.bind(key).bind(site_id).bind(activity_type_id);
    }
    let stored = query.fetch_all(&mut *conn).await?;
    for (key, site_id, activity_type_id, bytes) in stored {
        let bucket = (key, site_id, activity_type_id);
        let Some(gained) = gains.get(&bucket) else {
            continue;
        };
        let mut members = sets::decode(&bytes)
            .ok_or_else(|| sqlx::Error::Decode(format!("{table} {bucket:?}: not a set").into()))?;
        let added: Vec<Member> = gained.values().copied().collect();
        sets::add(&mut members, &added);
        sqlx::query(&replace_set(table, column))
            .bind(&bucket.0)
            .bind(bucket.1)
            .bind(bucket.2)
            .bind(sets::encode(&members))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

//! The SQL behind activity records (with their attendances, head counts and
//! facilitators), their review and the month locks. The order in which a
//! change touches these is [`super::write`]'s.

use std::collections::HashSet;

use sqlx::AnyConnection;

use super::model::{
    AgeBand, Attendee, MonthLock, RecordData, RecordFilter, RecordSummary, TallyRow,
};
use crate::access::SiteScope;
use crate::changes::item::WriteMeta;
use crate::changes::model::Head;
use crate::changes::{self, Entity};
use crate::participants::code;
use crate::rollups::Contribution;
use crate::store::rows::{Bulk, Value};
use crate::store::{now_millis, placeholders, rows, AnyQuery, Db};

/// A record as stored: what the sync rule reads ([`Head`]) and what its
/// rollup contribution and month lock go by.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRecord {
    #[sqlx(flatten)]
    pub head: Head,
    pub kind: String,
    pub activity_type_id: i64,
    pub occurred_on: String,
    pub duration_minutes: i64,
    pub review_status: String,
    pub tally_disabled: i64,
}

impl AsRef<Head> for StoredRecord {
    fn as_ref(&self) -> &Head {
        &self.head
    }
}

impl StoredRecord {
    /// Where and how this record counts in the rollups, under `review_status`.
    pub fn contribution(&self, review_status: &str) -> Contribution {
        Contribution {
            site_id: self.head.site_id,
            activity_type_id: self.activity_type_id,
            day: self.occurred_on.clone(),
            minutes: self.duration_minutes,
            tally_disabled: self.tally_disabled,
            flagged: review_status == "flagged",
        }
    }
}

const STORED_SELECT: &str =
    "SELECT r.version, r.deleted, r.payload, r.site_id, r.recorded_by AS owner,
        r.kind, r.activity_type_id, r.occurred_on, r.duration_minutes, r.review_status, r.tally_disabled
    FROM activity_records r";

/// Record `id` as stored, deleted or not.
pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{STORED_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Of `ids`, those no record has (deleted or not): one query per few
/// hundred ids, for a push that would otherwise look each up alone.
pub async fn free_ids(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut free: HashSet<String> = ids.iter().cloned().collect();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id FROM activity_records WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for taken in q.fetch_all(&mut *conn).await? {
            free.remove(&taken);
        }
    }
    Ok(free)
}

/// Record `id` as stored, if it is live and at a site of `scope`.
pub async fn load_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    id: &str,
) -> Result<Option<StoredRecord>, sqlx::Error> {
    let sql = format!(
        "{STORED_SELECT} WHERE r.id = $1 AND r.deleted = 0 AND {}",
        SiteScope::sql("r.site_id", 2)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(id)
        .bind(all)
        .bind(uid)
        .fetch_optional(conn)
        .await
}

/// Inserts version 1, unless the id exists (then returns false). Its
/// children are the caller's to write ([`write_children`]): a push writes
/// those of all its new records together.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    d: &RecordData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let insert = sqlx::query(
        "INSERT INTO activity_records (id, kind, activity_type_id, site_id, group_id, occurred_on, start_time, duration_minutes,
            topic, place_note, notes, materials, tally_disabled, recorded_by, device_recorded_at, received_at, updated_at, version, deleted, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1, 0, $17)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id);
    let done = bind_columns(insert, d)
        .bind(meta.actor_id)
        .bind(meta.device_time.as_deref())
        .bind(meta.now_ms)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces version `base` with `base + 1` and its children (false when
/// `base` is no longer current). An edit goes back to "submitted": a
/// reviewer looks at it again.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    base: i64,
    d: &RecordData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query(
        "UPDATE activity_records SET kind = $3, activity_type_id = $4, site_id = $5, group_id = $6, occurred_on = $7, start_time = $8,
            duration_minutes = $9, topic = $10, place_note = $11, notes = $12, materials = $13, tally_disabled = $14,
            updated_at = $15, version = version + 1, deleted = 0, review_status = 'submitted', payload = $16
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(base);
    let done = bind_columns(update, d)
        .bind(meta.now_ms)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    for table in ["record_facilitators", "attendances", "tallies"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE record_id = $1"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    write_children(conn, id, d).await?;
    Ok(true)
}

/// Binds a record's columns, `kind` to `tally_disabled`, in table order:
/// insert and update both list them in that order after their own keys.
fn bind_columns<'q>(query: AnyQuery<'q>, d: &'q RecordData) -> AnyQuery<'q> {
    query
        .bind(d.kind.as_str())
        .bind(d.activity_type_id)
        .bind(d.site_id)
        .bind(d.group_id.as_deref())
        .bind(&d.date)
        .bind(d.start_time.as_deref())
        .bind(d.duration_minutes)
        .bind(d.topic.as_deref())
        .bind(d.place_note.as_deref())
        .bind(d.notes.as_deref())
        .bind(d.materials.as_deref())
        .bind(d.tally_disabled)
}

/// A record's children: its facilitators, attendance and head counts.
#[derive(Debug, Clone)]
pub struct Children {
    record_id: String,
    facilitator_ids: Vec<i64>,
    attendance: Vec<String>,
    /// Sex, age band and count.
    tallies: Vec<(&'static str, &'static str, i64)>,
}

impl Children {
    pub fn of(record_id: &str, d: &RecordData) -> Children {
        Children {
            record_id: record_id.to_string(),
            facilitator_ids: d.facilitator_ids.clone(),
            attendance: d.attendance.clone(),
            tallies: d
                .tallies
                .iter()
                .map(|t| (t.sex.as_str(), t.age_band.as_str(), t.count))
                .collect(),
        }
    }
}

/// Writes record `id`'s children.
pub async fn write_children(
    conn: &mut AnyConnection,
    id: &str,
    d: &RecordData,
) -> Result<(), sqlx::Error> {
    write_children_of(conn, &[Children::of(id, d)]).await
}

/// Writes the children of several records: one statement per table for a
/// whole push, not three per record.
pub async fn write_children_of(
    conn: &mut AnyConnection,
    records: &[Children],
) -> Result<(), sqlx::Error> {
    let mut facilitators = Bulk::new("record_facilitators", &["record_id", "user_id"]);
    let mut attendances = Bulk::new("attendances", &["record_id", "participant_id"]);
    let mut tallies = Bulk::new("tallies", &["record_id", "sex", "age_band", "count"]);
    for r in records {
        let id = || Value::Text(r.record_id.clone());
        for user_id in &r.facilitator_ids {
            facilitators.push(vec![id(), Value::Int(*user_id)]);
        }
        for participant_id in &r.attendance {
            attendances.push(vec![id(), Value::Text(participant_id.clone())]);
        }
        for (sex, age_band, count) in &r.tallies {
            tallies.push(vec![
                id(),
                Value::Text(sex.to_string()),
                Value::Text(age_band.to_string()),
                Value::Int(*count),
            ]);
        }
    }
    facilitators.flush(&mut *conn).await?;
    attendances.flush(&mut *conn).await?;
    tallies.flush(conn).await
}

/// Replaces record `id`'s attendance and its payload (a merge of two
/// participants renamed one present); its version stays, as the content
/// its recorder made did not change but for whom it names.
pub async fn replace_attendance(
    conn: &mut AnyConnection,
    id: &str,
    d: &RecordData,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE activity_records SET payload = $2 WHERE id = $1")
        .bind(id)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM attendances WHERE record_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    rows::insert_pairs(
        &mut *conn,
        "attendances",
        ("record_id", "participant_id"),
        id,
        &d.attendance,
    )
    .await
}

/// The records (deleted or not) where `participant_id` was present.
pub async fn records_of(
    conn: &mut AnyConnection,
    participant_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT record_id FROM attendances WHERE participant_id = $1 ORDER BY record_id",
    )
    .bind(participant_id)
    .fetch_all(conn)
    .await
}

/// Sets a record's review (its version stays: the recorder's content did not change).
pub async fn set_review(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    comment: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE activity_records SET review_status = $2, review_comment = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(comment)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The records' payloads and reviews, for pulls.
#[derive(Debug, sqlx::FromRow)]
pub struct Pulled {
    pub id: String,
    pub version: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub deleted: bool,
    pub payload: String,
    pub review_status: String,
    pub review_comment: Option<String>,
}

pub async fn pulled(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Pulled>, sqlx::Error> {
    let sql = format!(
        "SELECT id, version, deleted, payload, review_status, review_comment FROM activity_records WHERE id IN ({})",
        crate::store::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, Pulled>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

const SUMMARY_SELECT: &str = "SELECT r.id, r.kind, r.activity_type_id, r.site_id, r.group_id, r.occurred_on AS date,
        r.duration_minutes, r.topic,
        (SELECT COUNT(*) FROM attendances a WHERE a.record_id = r.id) AS attendances,
        CAST(COALESCE((SELECT SUM(t.count) FROM tallies t WHERE t.record_id = r.id), 0) AS BIGINT) AS head_count,
        u.login AS recorded_by, r.review_status, r.review_comment, r.version, r.received_at
    FROM activity_records r JOIN users u ON u.id = r.recorded_by";

/// The live records of `scope` matching `f`, newest first.
pub async fn summaries(
    db: &Db,
    scope: &SiteScope,
    f: &RecordFilter,
) -> Result<Vec<RecordSummary>, sqlx::Error> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE r.deleted = 0 AND {} AND ($3 = 0 OR r.site_id = $4) AND r.occurred_on >= $5
           AND r.occurred_on <= $6 AND ($7 = '' OR r.review_status = $7)
         ORDER BY r.occurred_on DESC, r.received_at DESC LIMIT $8",
        SiteScope::sql("r.site_id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(f.site_id.is_some() as i64)
        .bind(f.site_id.unwrap_or(0))
        .bind(&f.from)
        .bind(&f.to)
        .bind(&f.status)
        .bind(f.limit)
        .fetch_all(db.pool())
        .await
}

/// Record `id` as the drill-down lists it, if live and in `scope`.
pub async fn summary(
    db: &Db,
    scope: &SiteScope,
    id: &str,
) -> Result<Option<RecordSummary>, sqlx::Error> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE r.id = $1 AND r.deleted = 0 AND {}",
        SiteScope::sql("r.site_id", 2)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(id)
        .bind(all)
        .bind(uid)
        .fetch_optional(db.pool())
        .await
}

/// What the detail view adds to a summary.
#[derive(Debug, sqlx::FromRow)]
pub struct Extras {
    pub notes: Option<String>,
    pub place_note: Option<String>,
    pub tally_disabled: i64,
}

pub async fn extras(db: &Db, id: &str) -> Result<Extras, sqlx::Error> {
    sqlx::query_as("SELECT notes, place_note, tally_disabled FROM activity_records WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
}

/// An attendee as read, before what `scope` may not see is left out.
#[derive(Debug, sqlx::FromRow)]
struct AttendeeRow {
    code: String,
    sex: String,
    birth_year: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    has_disability: bool,
    displacement: String,
    #[sqlx(try_from = "crate::store::Flag")]
    visitor: bool,
    year: i64,
}

/// Who was present, by code (names never leave the phone that registered
/// them); a visitor of another site than `scope`'s without her birth year.
pub async fn attendees(db: &Db, scope: &SiteScope, id: &str) -> Result<Vec<Attendee>, sqlx::Error> {
    let sql = format!(
        "SELECT p.code, p.sex, p.birth_year, p.has_disability, p.displacement,
                CASE WHEN {} THEN 0 ELSE 1 END AS visitor, CAST(SUBSTR(r.occurred_on, 1, 4) AS BIGINT) AS year
         FROM attendances a JOIN participants p ON p.id = a.participant_id JOIN activity_records r ON r.id = a.record_id
         WHERE a.record_id = $3 ORDER BY p.code",
        SiteScope::sql("p.site_id", 1)
    );
    let (all, uid) = scope.binds();
    let found: Vec<AttendeeRow> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    Ok(found
        .into_iter()
        .map(|a| Attendee {
            code: code::display(&a.code),
            sex: a.sex,
            birth_year: (!a.visitor).then_some(a.birth_year),
            age_band: AgeBand::at(a.birth_year, a.year).as_str().into(),
            has_disability: a.has_disability,
            displacement: a.displacement,
            visitor: a.visitor,
        })
        .collect())
}

pub async fn tallies(db: &Db, id: &str) -> Result<Vec<TallyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sex, age_band, count FROM tallies WHERE record_id = $1 ORDER BY sex, age_band",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
}

/// Whether `month` (`YYYY-MM`) is locked at `site_id`.
pub async fn month_locked(
    conn: &mut AnyConnection,
    site_id: i64,
    month: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM month_locks WHERE site_id = $1 AND month = $2")
            .bind(site_id)
            .bind(month)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

pub async fn locks(db: &Db, site_id: i64) -> Result<Vec<MonthLock>, sqlx::Error> {
    sqlx::query_as("SELECT site_id, month, locked_by, locked_at FROM month_locks WHERE site_id = $1 ORDER BY month DESC")
        .bind(site_id)
        .fetch_all(db.pool())
        .await
}

/// Locks `month` at `site_id`; `None` when it was locked already.
pub async fn lock(
    conn: &mut AnyConnection,
    site_id: i64,
    month: &str,
    user_id: i64,
) -> Result<Option<MonthLock>, sqlx::Error> {
    let now = now_millis();
    let done = sqlx::query(
        "INSERT INTO month_locks (site_id, month, locked_by, locked_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (site_id, month) DO NOTHING",
    )
    .bind(site_id)
    .bind(month)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        touch_lock(&mut *conn, site_id, month).await?;
    }
    Ok((done.rows_affected() == 1).then(|| MonthLock {
        site_id,
        month: month.to_string(),
        locked_by: user_id,
        locked_at: now,
    }))
}

/// Reopens `month` at `site_id`; false when it was not locked.
pub async fn unlock(
    conn: &mut AnyConnection,
    site_id: i64,
    month: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM month_locks WHERE site_id = $1 AND month = $2")
        .bind(site_id)
        .bind(month)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        touch_lock(conn, site_id, month).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// The change-feed id of `month`'s lock at `site_id`.
pub fn lock_key(site_id: i64, month: &str) -> String {
    format!("{site_id}:{month}")
}

/// Puts a lock or an unlock in the change feed, for the site's phones: they
/// show the month's records as locked, or editable again.
async fn touch_lock(
    conn: &mut AnyConnection,
    site_id: i64,
    month: &str,
) -> Result<(), sqlx::Error> {
    let key = lock_key(site_id, month);
    changes::store::touch(conn, Entity::Lock, &key, Some(site_id), None).await?;
    Ok(())
}

/// Of these change-feed ids (`<site_id>:<YYYY-MM>`), the locks that stand.
pub async fn locks_by_keys(
    conn: &mut AnyConnection,
    keys: &[String],
) -> Result<Vec<MonthLock>, sqlx::Error> {
    let mut found = vec![];
    for key in keys {
        let Some((site, month)) = key.split_once(':') else {
            continue;
        };
        let Ok(site_id) = site.parse::<i64>() else {
            continue;
        };
        let lock: Option<MonthLock> = sqlx::query_as(
            "SELECT site_id, month, locked_by, locked_at FROM month_locks WHERE site_id = $1 AND month = $2",
        )
        .bind(site_id)
        .bind(month)
        .fetch_optional(&mut *conn)
        .await?;
        found.extend(lock);
    }
    Ok(found)
}

//! The SQL behind participants.

use sqlx::AnyConnection;

use super::code;
use super::model::{Found, ParticipantData};
use crate::access::SiteScope;
use crate::changes::item::WriteMeta;
use crate::changes::model::Head;
use crate::store::{now_millis, placeholders, AnyQuery, Db};
use crate::validate::Checker;

/// A participant as stored, as the sync rule needs it.
pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
    sqlx::query_as("SELECT version, deleted, payload, site_id, created_by AS owner FROM participants WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Inserts version 1 unless the id exists (then returns false).
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    d: &ParticipantData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let insert = sqlx::query(
        "INSERT INTO participants (id, code, site_id, sex, birth_year, birth_year_estimated, disability_mode,
            wg_seeing, wg_hearing, wg_walking, wg_remembering, wg_selfcare, wg_communicating, has_disability,
            displacement, registered_on, given_name, created_by, device_created_at, received_at, updated_at, version, deleted, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, 1, 0, $21)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id);
    let done = bind_columns(insert, d)
        .bind(meta.actor_id)
        .bind(meta.device_time.as_deref())
        .bind(meta.now_ms)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces version `base` with `base + 1` (false when `base` is no longer current).
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    base: i64,
    d: &ParticipantData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query(
        "UPDATE participants SET code = $3, site_id = $4, sex = $5, birth_year = $6, birth_year_estimated = $7, disability_mode = $8,
            wg_seeing = $9, wg_hearing = $10, wg_walking = $11, wg_remembering = $12, wg_selfcare = $13, wg_communicating = $14,
            has_disability = $15, displacement = $16, registered_on = $17, given_name = $18, updated_at = $19,
            version = version + 1, deleted = 0, payload = $20
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(base);
    let done = bind_columns(update, d)
        .bind(meta.now_ms)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Binds a participant's columns, `code` to `given_name`, in table order:
/// insert and update both list them in that order after their own keys.
fn bind_columns<'q>(query: AnyQuery<'q>, d: &'q ParticipantData) -> AnyQuery<'q> {
    let wg = d.wg.map(|w| w.all().map(|a| a as i64));
    query
        .bind(&d.code)
        .bind(d.site_id)
        .bind(d.sex.as_str())
        .bind(d.birth_year)
        .bind(d.birth_year_estimated as i64)
        .bind(disability_mode(d))
        .bind(wg.map(|w| w[0]))
        .bind(wg.map(|w| w[1]))
        .bind(wg.map(|w| w[2]))
        .bind(wg.map(|w| w[3]))
        .bind(wg.map(|w| w[4]))
        .bind(wg.map(|w| w[5]))
        .bind(d.has_disability() as i64)
        .bind(d.displacement.as_str())
        .bind(&d.registered_on)
        .bind(d.given_name.as_deref())
}

fn disability_mode(d: &ParticipantData) -> &'static str {
    use super::model::DisabilityMode::*;
    match d.disability {
        Wg => "wg",
        Yes => "yes",
        No => "no",
        NotAsked => "not_asked",
    }
}

/// Checks that every id in `ids` is a live participant in `scope`, naming
/// the others under `field`.
pub async fn check_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    field: &str,
    ids: &[String],
    check: &mut Checker,
) -> Result<(), sqlx::Error> {
    let found = ids_in_scope(conn, scope, ids).await?;
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        check.fail(
            field,
            format!("not participants in your scope: {}", unknown.join(", ")),
        );
    }
    Ok(())
}

/// The ids among `ids` that are live participants in `scope`.
async fn ids_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id FROM participants WHERE deleted = 0 AND id IN ({}) AND {}",
        placeholders(3, ids.len()),
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = scope.binds();
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(all).bind(uid);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// Whether the server issued the prefix of `code`.
pub async fn prefix_issued(conn: &mut AnyConnection, code: &str) -> Result<bool, sqlx::Error> {
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_prefixes WHERE prefix = $1")
        .bind(code::prefix_of(code))
        .fetch_one(conn)
        .await?;
    Ok(issued > 0)
}

/// Whether another participant than `id` has `code`. The unique index is
/// the final referee (for races); this gives the clear reason.
pub async fn code_taken(
    conn: &mut AnyConnection,
    code: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE code = $1 AND id <> $2")
            .bind(code)
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(taken > 0)
}

/// What happened to a request for a prefix.
pub enum Issued {
    Prefix(String),
    /// The user has drawn their share for now; the oldest of them leaves
    /// the window at this time (Unix milliseconds).
    Limited {
        until_ms: i64,
    },
}

/// Hands the next prefix to `user_id`, unless they drew `limit` in the last
/// `window_ms`. The counter row is taken first: it orders every issuer, so
/// both the number and the user's count are read after the last commit.
pub async fn issue_prefix(
    db: &Db,
    user_id: i64,
    limit: i64,
    window_ms: i64,
) -> anyhow::Result<Issued> {
    let mut tx = db.begin().await?;
    let number = take_prefix_number(&mut tx).await?;
    let now = now_millis();
    let recent: Vec<i64> =
        sqlx::query_scalar("SELECT created_at FROM device_prefixes WHERE user_id = $1 AND created_at > $2 ORDER BY created_at")
            .bind(user_id)
            .bind(now - window_ms)
            .fetch_all(&mut *tx)
            .await?;
    if recent.len() as i64 >= limit {
        tx.rollback().await?;
        return Ok(Issued::Limited {
            until_ms: recent[0] + window_ms,
        });
    }
    let prefix = record_prefix(&mut tx, number, user_id).await?;
    tx.commit().await?;
    Ok(Issued::Prefix(prefix))
}

/// Hands the next prefix to `user_id` with no limit (a bulk load that
/// registers participants as phones would).
pub async fn next_prefix(conn: &mut AnyConnection, user_id: i64) -> anyhow::Result<String> {
    let number = take_prefix_number(conn).await?;
    record_prefix(conn, number, user_id).await
}

/// The next prefix number; the counter row stays locked until commit.
async fn take_prefix_number(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE prefix_counter SET issued = issued + 1 WHERE id = 1 RETURNING issued",
    )
    .fetch_one(conn)
    .await
}

async fn record_prefix(
    conn: &mut AnyConnection,
    number: i64,
    user_id: i64,
) -> anyhow::Result<String> {
    // Prefixes are numbered from 1, so no code starts with zeros.
    let prefix = u32::try_from(number)
        .ok()
        .and_then(code::prefix_for)
        .ok_or_else(|| anyhow::anyhow!("all participant-code prefixes are used"))?;
    sqlx::query("INSERT INTO device_prefixes (prefix, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(&prefix)
        .bind(user_id)
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(prefix)
}

/// Participants in `scope` whose code starts with, or given name contains, `q`.
pub async fn search(
    db: &Db,
    scope: &SiteScope,
    q: &str,
    limit: i64,
) -> Result<Vec<Found>, sqlx::Error> {
    let code_prefix = q.to_uppercase().replace('-', "");
    let sql = format!(
        "SELECT id, code, site_id, given_name, sex, birth_year FROM participants
         WHERE deleted = 0 AND {} AND (code LIKE $3 OR LOWER(COALESCE(given_name, '')) LIKE $4)
         ORDER BY code LIMIT $5",
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(format!("{}%", escape_like(&code_prefix)))
        .bind(format!("%{}%", escape_like(&q.to_lowercase())))
        .bind(limit)
        .fetch_all(db.pool())
        .await
}

fn escape_like(s: &str) -> String {
    s.replace(['%', '_'], "")
}

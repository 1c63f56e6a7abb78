//! The SQL behind the audit log.

use sqlx::AnyConnection;

use super::model::{AuditEntry, AuditQuery, Entry};
use crate::store::{now_millis, Db};

/// Appends `entry` on `conn` (normally inside the change's transaction).
pub async fn record(conn: &mut AnyConnection, entry: Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, login, action, target_kind, target_id, client_addr, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now_millis())
    .bind(entry.user_id)
    .bind(entry.login)
    .bind(entry.action)
    .bind(entry.target_kind)
    .bind(entry.target_id)
    .bind(entry.addr)
    .bind(entry.detail.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends `entry` on its own, for events that change nothing else.
pub async fn record_standalone(db: &Db, entry: Entry) -> Result<(), sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    record(&mut conn, entry).await
}

/// How many `action` entries `user_id` wrote since `since_ms` (a rate limit
/// that every server instance applies alike).
pub async fn count_since(
    db: &Db,
    user_id: i64,
    action: &str,
    since_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE user_id = $1 AND action = $2 AND at > $3",
    )
    .bind(user_id)
    .bind(action)
    .bind(since_ms)
    .fetch_one(db.pool())
    .await
}

/// An entry as stored: its detail is JSON text.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    user_id: Option<i64>,
    login: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    client_addr: Option<String>,
    detail: Option<String>,
}

/// Up to `limit` entries matching `q`, newest first.
pub async fn list(db: &Db, q: &AuditQuery, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, user_id, login, action, target_kind, target_id, client_addr, detail FROM audit_log
         WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4",
    )
    .bind(q.user_id)
    .bind(q.action.as_deref())
    .bind(q.before)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            login: r.login,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            client_addr: r.client_addr,
            detail: r.detail.and_then(|d| serde_json::from_str(&d).ok()),
        })
        .collect())
}

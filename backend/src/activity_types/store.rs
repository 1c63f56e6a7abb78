//! The SQL behind activity types. Every change is in the change feed, so
//! phones hear of new labels and types.

use sqlx::AnyConnection;

use super::model::{ActivityKind, ActivityType, TypeChanges};
use crate::changes::{self, Entity};
use crate::error::{ApiError, ErrorCode, ResultExt};
use crate::store::{placeholders, Db};

const COLUMNS: &str = "id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active";

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ActivityType>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM activity_types WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The activity types with these ids.
pub async fn by_ids(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<ActivityType>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM activity_types WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, ActivityType>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await
}

pub async fn list_all(db: &Db) -> Result<Vec<ActivityType>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM activity_types ORDER BY kind, code"
    ))
    .fetch_all(db.pool())
    .await
}

/// The kind of an active activity type, if `id` is one.
pub async fn active_kind(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ActivityKind>, sqlx::Error> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM activity_types WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(kind.as_deref().and_then(ActivityKind::parse))
}

/// The ids of the types with id `id` (when given) and kind `kind` (when given).
pub async fn ids_matching(
    db: &Db,
    id: Option<i64>,
    kind: Option<&str>,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM activity_types WHERE ($1 = 0 OR id = $2) AND ($3 = '' OR kind = $3)",
    )
    .bind(id.is_some() as i64)
    .bind(id.unwrap_or(0))
    .bind(kind.unwrap_or(""))
    .fetch_all(db.pool())
    .await
}

/// Stores a new type (all required fields checked) and tells phones.
pub async fn insert(conn: &mut AnyConnection, t: &TypeChanges) -> Result<i64, ApiError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activity_types (kind, code, label_en, label_ar, label_ckb, cycle_sessions, active)
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
    )
    .bind(t.kind.map(ActivityKind::as_str))
    .bind(t.code.as_deref())
    .bind(t.labels[0].as_deref())
    .bind(t.labels[1].as_deref())
    .bind(t.labels[2].as_deref())
    .bind(t.cycle_sessions)
    .fetch_one(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::CodeTaken, || "that activity type code is already used".into())?;
    changes::store::touch(conn, Entity::ActivityType, &id.to_string(), None, None).await?;
    Ok(id)
}

/// Changes a type's code, labels, cycle or active flag, and tells phones.
pub async fn update(conn: &mut AnyConnection, id: i64, t: &TypeChanges) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE activity_types SET code = COALESCE($2, code), label_en = COALESCE($3, label_en), label_ar = COALESCE($4, label_ar),
         label_ckb = COALESCE($5, label_ckb), cycle_sessions = COALESCE($6, cycle_sessions), active = COALESCE($7, active) WHERE id = $1",
    )
    .bind(id)
    .bind(t.code.as_deref())
    .bind(t.labels[0].as_deref())
    .bind(t.labels[1].as_deref())
    .bind(t.labels[2].as_deref())
    .bind(t.cycle_sessions)
    .bind(t.active.map(|a| a as i64))
    .execute(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::CodeTaken, || "that activity type code is already used".into())?;
    changes::store::touch(conn, Entity::ActivityType, &id.to_string(), None, None).await?;
    Ok(())
}

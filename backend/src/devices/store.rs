//! The SQL of devices.

use sqlx::AnyConnection;

use super::model::DeviceView;

/// A device row as the handlers need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeviceRow {
    pub user_id: i64,
    pub recovery_key: Option<String>,
    pub wipe_requested_at: Option<i64>,
    pub wiped_at: Option<i64>,
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<DeviceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, recovery_key, wipe_requested_at, wiped_at FROM devices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Registers `id` for `user_id` with `key` unless it exists (two first
/// requests at once: one insert wins, both then read the same row).
pub async fn insert_if_absent(
    conn: &mut AnyConnection,
    id: &str,
    user_id: i64,
    key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO devices (id, user_id, recovery_key, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(user_id)
    .bind(key)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn seen(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE devices SET last_seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The device is wiped: its recovery key is forgotten for good.
pub async fn mark_wiped(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE devices SET wiped_at = $2, last_seen_at = $2, recovery_key = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_user(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<DeviceView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, created_at, last_seen_at, wipe_requested_at, wiped_at FROM devices \
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Marks every device of `user_id` not yet wiped (nor already marked);
/// returns how many are now waiting to be wiped.
pub async fn request_wipe(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE devices SET wipe_requested_at = $2 \
         WHERE user_id = $1 AND wiped_at IS NULL AND wipe_requested_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM devices WHERE user_id = $1 AND wiped_at IS NULL AND wipe_requested_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await
}

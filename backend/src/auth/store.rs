//! The SQL of the login throttle: one row of attempts per login name and
//! per client address, in a fixed window.

use sqlx::AnyConnection;

/// One key's attempts in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Attempts {
    pub window_start: i64,
    pub attempts: i64,
}

/// Counts one more attempt for `key` (a window older than `since` starts
/// over at `now`), atomically: parallel attempts each see their own count.
pub async fn count_attempt(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    since: i64,
) -> Result<Attempts, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
             attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END,
             window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END
         RETURNING window_start, attempts",
    )
    .bind(key)
    .bind(now)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// Forgets `key`'s attempts (a login that succeeded).
pub async fn forget(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes back one attempt of `key` (it was not a failure).
pub async fn take_back(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    )
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops windows that ended before `since`.
pub async fn forget_old(conn: &mut AnyConnection, since: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
        .bind(since)
        .execute(conn)
        .await?;
    Ok(())
}

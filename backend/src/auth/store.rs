//! The SQL of the login throttle: failed attempts as rows.

use sqlx::AnyConnection;

use crate::config::ThrottlePolicy;
use crate::store::{now_millis, Db};

/// The time of the `n`-th newest failure in the window for `column = value`,
/// if there are at least `n`.
pub async fn nth_newest_failure(
    db: &Db,
    column: &'static str,
    value: &str,
    since: i64,
    n: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = format!("SELECT at FROM login_failures WHERE {column} = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3");
    sqlx::query_scalar(&sql)
        .bind(value)
        .bind(since)
        .bind(n - 1)
        .fetch_optional(db.pool())
        .await
}

/// Counts a failed attempt, and forgets failures older than the window.
pub async fn record_failure(
    conn: &mut AnyConnection,
    policy: &ThrottlePolicy,
    login: &str,
    addr: &str,
) -> Result<(), sqlx::Error> {
    let now = now_millis();
    sqlx::query("INSERT INTO login_failures (at, login, client_addr) VALUES ($1, $2, $3)")
        .bind(now)
        .bind(login)
        .bind(addr)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - policy.window_secs * 1000)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A successful login wipes that login's failures (not the address's: one
/// right password must not reset a guesser's count for other accounts).
pub async fn clear(conn: &mut AnyConnection, login: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE login = $1")
        .bind(login)
        .execute(conn)
        .await?;
    Ok(())
}

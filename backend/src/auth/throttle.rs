//! The login throttle. Failures are rows in the database (not memory) so
//! every instance behind a load balancer counts the same attempts. Past the
//! policy's limit per login name or per client address within the window,
//! logins are answered 429 with `Retry-After`, whether or not the password
//! would have been right: a guesser learns nothing by continuing.

use sqlx::AnyConnection;

use crate::config::ThrottlePolicy;
use crate::error::ApiError;
use crate::store::{now_millis, Db};

/// Refuses the attempt if `login` or `addr` has used up its failures.
pub async fn check(
    db: &Db,
    policy: &ThrottlePolicy,
    login: &str,
    addr: &str,
) -> Result<(), ApiError> {
    let now = now_millis();
    let window_ms = policy.window_secs * 1000;
    let since = now - window_ms;
    let by_login =
        nth_newest_failure(db, "login", login, since, policy.max_failures_per_login).await?;
    let by_addr =
        nth_newest_failure(db, "client_addr", addr, since, policy.max_failures_per_addr).await?;
    // The attempt may go ahead once the limit-th newest failure leaves the window.
    match by_login.into_iter().chain(by_addr).max() {
        Some(at) => Err(ApiError::TooManyAttempts {
            retry_after_secs: ((at + window_ms - now) / 1000 + 1).max(1) as u64,
        }),
        None => Ok(()),
    }
}

/// The time of the `n`-th newest failure in the window for `column = value`,
/// if there are at least `n`.
async fn nth_newest_failure(
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

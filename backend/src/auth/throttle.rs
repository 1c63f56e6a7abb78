//! The login throttle. Attempts are counted in the database (not memory)
//! so every instance behind a load balancer counts the same ones, and
//! counted *before* the password is checked, in one atomic step per key:
//! a hundred parallel attempts cannot all pass a limit of thirty. Past the
//! policy's limit per login name or per client address within the window,
//! logins are answered 429 with `Retry-After`, whether or not the password
//! would have been right: a guesser learns nothing by continuing.
//!
//! A successful login forgets its login name's attempts and takes its own
//! attempt back from the address (one right password must not reset a
//! guesser's count for other accounts).

use super::store::{self, Attempts};
use crate::config::ThrottlePolicy;
use crate::store::{now_millis, Db};

/// The two keys an attempt counts under.
pub struct Keys {
    login: String,
    addr: String,
}

impl Keys {
    pub fn new(login: &str, addr: &str) -> Keys {
        Keys {
            login: format!("login:{login}"),
            addr: format!("addr:{addr}"),
        }
    }
}

/// Counts this attempt; returns how many seconds it must wait instead, if
/// the login or the address has used up its attempts.
pub async fn attempt(
    db: &Db,
    policy: &ThrottlePolicy,
    keys: &Keys,
) -> Result<Option<u64>, sqlx::Error> {
    let now = now_millis();
    let window_ms = policy.window_secs * 1000;
    let since = now - window_ms;
    let mut tx = db.begin().await?;
    let by_login = store::count_attempt(&mut tx, &keys.login, now, since).await?;
    let by_addr = store::count_attempt(&mut tx, &keys.addr, now, since).await?;
    tx.commit().await?;
    let waits = [
        wait_secs(now, window_ms, by_login, policy.max_failures_per_login),
        wait_secs(now, window_ms, by_addr, policy.max_failures_per_addr),
    ];
    Ok(waits.into_iter().flatten().max())
}

/// After a failure: old windows go (the table stays small).
pub async fn failed(db: &Db, policy: &ThrottlePolicy) -> Result<(), sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    store::forget_old(&mut conn, now_millis() - policy.window_secs * 1000).await
}

/// After a success: the login starts afresh, the address gets its attempt back.
pub async fn succeeded(conn: &mut sqlx::AnyConnection, keys: &Keys) -> Result<(), sqlx::Error> {
    store::forget(&mut *conn, &keys.login).await?;
    store::take_back(conn, &keys.addr).await
}

/// How long to wait when `counted` went over `limit`: until its window ends.
pub fn wait_secs(now: i64, window_ms: i64, counted: Attempts, limit: i64) -> Option<u64> {
    (counted.attempts > limit)
        .then(|| ((counted.window_start + window_ms - now) / 1000 + 1).max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_ends_with_the_window_and_only_past_the_limit() {
        let window_ms = 15 * 60 * 1000;
        let at = |attempts| Attempts {
            window_start: 940_000,
            attempts,
        };
        assert_eq!(wait_secs(1_000_000, window_ms, at(5), 5), None);
        // The window began 60 s ago: 840 s of it are left.
        assert_eq!(wait_secs(1_000_000, window_ms, at(6), 5), Some(841));
    }
}

//! The login throttle's rule. Failures are rows in the database (not
//! memory) so every instance behind a load balancer counts the same
//! attempts. Past the policy's limit per login name or per client address
//! within the window, logins are answered 429 with `Retry-After`, whether or
//! not the password would have been right: a guesser learns nothing by
//! continuing.

use super::store;
use crate::config::ThrottlePolicy;
use crate::store::{now_millis, Db};

/// How many seconds the attempt must wait, if `login` or `addr` has used
/// up its failures.
pub async fn wait(
    db: &Db,
    policy: &ThrottlePolicy,
    login: &str,
    addr: &str,
) -> Result<Option<u64>, sqlx::Error> {
    let now = now_millis();
    let since = now - policy.window_secs * 1000;
    let by_login =
        store::nth_newest_failure(db, "login", login, since, policy.max_failures_per_login).await?;
    let by_addr =
        store::nth_newest_failure(db, "client_addr", addr, since, policy.max_failures_per_addr)
            .await?;
    Ok(retry_after_secs(
        now,
        policy,
        by_login.into_iter().chain(by_addr).max(),
    ))
}

/// How long to wait, given the time of the limit-th newest failure of the
/// login or the address (the later of the two), if either used up its
/// limit: the attempt may go ahead once that failure leaves the window.
pub fn retry_after_secs(
    now: i64,
    policy: &ThrottlePolicy,
    limiting_failure: Option<i64>,
) -> Option<u64> {
    let at = limiting_failure?;
    let window_ms = policy.window_secs * 1000;
    Some(((at + window_ms - now) / 1000 + 1).max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_ends_when_the_limiting_failure_leaves_the_window() {
        let policy = ThrottlePolicy::default();
        assert_eq!(retry_after_secs(1_000_000, &policy, None), None);
        // A failure 60 s ago leaves the 15-minute window in 840 s.
        assert_eq!(
            retry_after_secs(1_000_000, &policy, Some(940_000)),
            Some(841)
        );
    }
}

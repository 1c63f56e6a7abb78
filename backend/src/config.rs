//! Settings, read from flags or the environment (clap `env`), with defaults
//! that work on a laptop.

use std::fmt;
use std::net::SocketAddr;

/// Where the data lives. Its `Debug` hides the password so the URL can sit
/// in logged structs without leaking a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl DatabaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_password(&self.0))
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("sqlite:")
            || s.starts_with("postgres://")
            || s.starts_with("postgresql://")
        {
            Ok(DatabaseUrl(s.to_string()))
        } else {
            Err("expected sqlite:… or postgres://…".into())
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

/// What the HTTP server needs to know at run time.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// A session unused for this long is gone.
    pub session_idle_secs: i64,
    /// A session this old is gone however busy it was (the app lock covers
    /// the long offline days, so the server session need not be long).
    pub session_max_secs: i64,
    /// A device's recovery key is released only this long after a password
    /// login (or to a device marked for wiping), so an open session on a
    /// lost phone does not unlock its data.
    pub device_key_window_secs: i64,
    /// Days a phone keeps records after a clean sync (older ones leave it
    /// unless unsent); phones hear it at each contact (`/devices/status`).
    pub phone_keeps_records_days: u32,
    /// How many reverse proxies stand in front and append to
    /// `X-Forwarded-For`: the client address is the entry the outermost of
    /// them wrote (counted from the right), since everything to its left is
    /// whatever the client chose to send. 0: the header is ignored and the
    /// connection's address is the client's.
    pub trusted_proxies: usize,
    pub throttle: ThrottlePolicy,
    /// Days a phone keeps what it sent (encrypted like the rest of its
    /// data), so that after a restore from a backup nothing a phone still
    /// holds is lost.
    pub phone_keeps_sent_days: u32,
    /// A record first received more than this many days after the date it
    /// happened is a "late entry" for the coordinator.
    pub late_entry_days: i64,
    /// The bearer token a `/metrics` scrape must carry; `None`: no `/metrics`.
    pub metrics_token: Option<String>,
    pub push: PushConfig,
    /// Referrals between organisations (`crate::referrals`).
    pub referrals: ReferralConfig,
}

/// Referral settings (`crate::referrals`, docs/design.md §9).
#[derive(Debug, Clone)]
pub struct ReferralConfig {
    /// A referral still unanswered more than this many days after it was
    /// made is overdue for both sides' coordinators.
    pub overdue_days: i64,
    /// Whether a referral may carry a short routing note (off unless the
    /// programme switches it on; never exported).
    pub notes: bool,
}

impl Default for ReferralConfig {
    fn default() -> Self {
        ReferralConfig {
            overdue_days: 14,
            notes: false,
        }
    }
}

/// Web push settings (`crate::push`).
#[derive(Debug, Clone)]
pub struct PushConfig {
    /// Accept and send to `http://` push endpoints on loopback addresses
    /// (the test push service); otherwise only `https://` endpoints.
    pub allow_loopback: bool,
    /// Whether this instance runs the sender (every instance may: they
    /// share the queue through leases).
    pub send: bool,
    /// The VAPID `sub` claim: how a push service reaches the operator.
    pub subject: String,
    /// How often the sender looks for due notifications.
    pub poll_ms: u64,
    /// How long one push request may take before it counts as failed.
    pub request_timeout_ms: u64,
    /// The local hour after which a scheduled group with no record of the
    /// day gets its reminder; None: no reminders.
    pub reminder_hour: Option<u8>,
    /// The programme's clock, in minutes east of UTC (Iraq: 180, no DST).
    pub utc_offset_minutes: i32,
    /// How often an instance checks whether the day's reminders are due.
    pub reminder_poll_ms: u64,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            allow_loopback: false,
            send: true,
            subject: "mailto:admin@localhost".into(),
            poll_ms: 1000,
            request_timeout_ms: 10_000,
            reminder_hour: Some(15),
            utc_offset_minutes: 180,
            reminder_poll_ms: 60_000,
        }
    }
}

/// How many failed logins are allowed before answering 429.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub window_secs: i64,
    pub max_failures_per_login: i64,
    pub max_failures_per_addr: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window_secs: 15 * 60,
            max_failures_per_login: 5,
            max_failures_per_addr: 30,
        }
    }
}

impl Config {
    /// Settings for tests and tools: a local address, defaults elsewhere.
    pub fn for_tests() -> Config {
        Config {
            addr: "127.0.0.1:0".parse().expect("literal address"),
            secure_cookies: false,
            session_idle_secs: 60 * 60,
            session_max_secs: 30 * 24 * 60 * 60,
            device_key_window_secs: 10 * 60,
            phone_keeps_records_days: 90,
            trusted_proxies: 0,
            throttle: ThrottlePolicy::default(),
            phone_keeps_sent_days: 14,
            late_entry_days: 7,
            metrics_token: None,
            push: PushConfig {
                // Tests that want reminders set the hour themselves.
                reminder_hour: None,
                ..PushConfig::default()
            },
            referrals: ReferralConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_database_password() {
        let url = DatabaseUrl("postgres://sijil:hunter2@db:5432/sijil".into());
        assert_eq!(format!("{url:?}"), "postgres://sijil:***@db:5432/sijil");
        assert_eq!(
            format!("{:?}", DatabaseUrl("sqlite://x.db".into())),
            "sqlite://x.db"
        );
    }
}

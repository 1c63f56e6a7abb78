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

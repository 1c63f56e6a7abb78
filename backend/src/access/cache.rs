//! A short memory, per server instance, of sessions and signed-in users, so
//! that an authenticated read (a phone asking `/api/me`, a pull) costs no
//! database round trip when the same session asks again soon.
//!
//! Revocation stays prompt on every instance without any message between
//! instances: an entry is trusted for [`FRESH`] only, whichever instance
//! made the change (a logout, a password reset, a deactivation, a new role
//! or sites), and the instance that makes a change forgets what it
//! remembered of that session or user at once. So a revoked session is
//! refused at once where it was revoked and within [`FRESH`] (plus one
//! request) everywhere else. The database stays the truth; this only saves
//! asking it twice within half a second.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tower_sessions::session::{Id, Record};

use super::store::ActiveUser;

/// How long a remembered session or user is trusted.
pub const FRESH: Duration = Duration::from_millis(500);

/// Entries kept before stale ones are swept (a bound on memory: one entry
/// per session or user seen in the last [`FRESH`]).
const SWEEP_ABOVE: usize = 20_000;

/// Values remembered for [`FRESH`] each. A forgotten key is remembered as
/// forgotten (`None`) for [`FRESH`] too: a request that read the session or
/// user from the database just before a logout or a change would otherwise
/// put the old value back after it was forgotten, and the next request
/// would be let in on it for up to half a second.
pub struct Recent<K, V> {
    entries: Mutex<HashMap<K, (Instant, Option<V>)>>,
}

impl<K: Eq + Hash, V: Clone> Default for Recent<K, V> {
    fn default() -> Self {
        Recent {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// The value remembered for `key`, if still fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < FRESH)
            .and_then(|(_, v)| v.clone())
    }

    /// Remembers `value` for `key`, read from the database just now; not
    /// within [`FRESH`] of the key being forgotten, since the read may have
    /// come before the change that made this instance forget it.
    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(entries.get(&key), Some((at, None)) if at.elapsed() < FRESH) {
            return;
        }
        if entries.len() >= SWEEP_ABOVE {
            entries.retain(|_, (at, _)| at.elapsed() < FRESH);
        }
        entries.insert(key, (Instant::now(), Some(value)));
    }

    /// Forgets `key`, and refuses to remember it again for [`FRESH`].
    pub fn forget(&self, key: K) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_ABOVE {
            entries.retain(|_, (at, _)| at.elapsed() < FRESH);
        }
        entries.insert(key, (Instant::now(), None));
    }
}

/// What one instance remembers; cloned cheaply into the session store and
/// the request extensions.
#[derive(Clone, Default)]
pub struct AuthCache(Arc<Remembered>);

#[derive(Default)]
pub struct Remembered {
    /// Session records by id, as the session store loaded or saved them.
    pub sessions: Recent<Id, Record>,
    /// Active accounts by id, as the guard loaded them.
    pub users: Recent<i64, ActiveUser>,
    /// `/api/me` answers by user id, as JSON.
    pub me: Recent<i64, axum::body::Bytes>,
}

impl std::ops::Deref for AuthCache {
    type Target = Remembered;

    fn deref(&self) -> &Remembered {
        &self.0
    }
}

impl AuthCache {
    /// Forgets what this instance remembers of user `id` (after a change to
    /// their account: role, sites, password, active, language).
    pub fn forget_user(&self, id: i64) {
        self.users.forget(id);
        self.me.forget(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_trusted_for_half_a_second_only() {
        let recent: Recent<i64, &str> = Recent::default();
        recent.put(1, "one");
        assert_eq!(recent.get(&1), Some("one"));
        recent.forget(1);
        assert_eq!(recent.get(&1), None);
        recent.put(2, "two");
        std::thread::sleep(FRESH + Duration::from_millis(20));
        assert_eq!(recent.get(&2), None);
    }

    #[test]
    fn a_value_read_before_a_logout_is_not_remembered_after_it() {
        let recent: Recent<i64, &str> = Recent::default();
        recent.put(1, "session");
        // A request read the session from the database; then the logout
        // forgot it and deleted it; then that request remembers its read.
        recent.forget(1);
        recent.put(1, "session");
        assert_eq!(recent.get(&1), None, "the logout wins");
        // Half a second later a fresh read is remembered again.
        std::thread::sleep(FRESH + Duration::from_millis(20));
        recent.put(1, "session");
        assert_eq!(recent.get(&1), Some("session"));
    }
}

//! An entry to write, and the log as admins read it.

use serde::{Deserialize, Serialize};

use crate::access::CurrentUser;

/// One thing to write down.
#[derive(Debug, Clone)]
pub struct Entry {
    pub(super) action: &'static str,
    pub(super) user_id: Option<i64>,
    pub(super) login: Option<String>,
    pub(super) addr: Option<String>,
    pub(super) target_kind: Option<&'static str>,
    pub(super) target_id: Option<String>,
    pub(super) detail: Option<serde_json::Value>,
}

impl Entry {
    pub fn new(action: &'static str) -> Entry {
        Entry {
            action,
            user_id: None,
            login: None,
            addr: None,
            target_kind: None,
            target_id: None,
            detail: None,
        }
    }

    /// `action` by the signed-in `user`, from their address.
    pub fn by(action: &'static str, user: &CurrentUser) -> Entry {
        Entry::new(action)
            .actor(user.id, &user.login)
            .addr(&user.client_addr)
    }

    /// The signed-in user who acted.
    pub fn actor(mut self, user_id: i64, login: &str) -> Entry {
        self.user_id = Some(user_id);
        self.login = Some(login.to_string());
        self
    }

    /// A login name that was tried (failed logins have no user).
    pub fn login(mut self, login: &str) -> Entry {
        self.login = Some(login.chars().take(64).collect());
        self
    }

    pub fn addr(mut self, addr: &str) -> Entry {
        self.addr = Some(addr.to_string());
        self
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Entry {
        self.target_kind = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    /// What changed. Never passwords, never participant data.
    pub fn detail(mut self, detail: serde_json::Value) -> Entry {
        self.detail = Some(detail);
        self
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries by this user.
    pub user_id: Option<i64>,
    /// Only this action, e.g. `auth.login_failed`.
    pub action: Option<String>,
    /// Only entries older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<i64>,
}

/// The page sizes an admin may ask for.
pub const PAGE_SIZES: std::ops::RangeInclusive<i64> = 1..=500;
pub const DEFAULT_PAGE_SIZE: i64 = 100;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub user_id: Option<i64>,
    pub login: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

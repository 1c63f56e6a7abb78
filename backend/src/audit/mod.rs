//! The audit log: who did what, when, from where. Rows are appended in the
//! same transaction as the change they describe, so a change and its record
//! stand or fall together. Admins read it newest first.

use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminUser;
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::store::{now_millis, Db};
use crate::AppState;

/// One thing to write down.
#[derive(Debug, Clone)]
pub struct Entry {
    action: &'static str,
    user_id: Option<i64>,
    login: Option<String>,
    addr: Option<String>,
    target_kind: Option<&'static str>,
    target_id: Option<String>,
    detail: Option<serde_json::Value>,
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

/// Appends `entry` on `conn` (normally inside the change's transaction).
pub async fn record(conn: &mut AnyConnection, entry: Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, login, action, target_kind, target_id, client_addr, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now_millis())
    .bind(entry.user_id)
    .bind(entry.login)
    .bind(entry.action)
    .bind(entry.target_kind)
    .bind(entry.target_id)
    .bind(entry.addr)
    .bind(entry.detail.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends `entry` on its own, for events that change nothing else.
pub async fn record_standalone(db: &Db, entry: Entry) -> Result<(), sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    record(&mut conn, entry).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
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

type AuditRow = (
    i64,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The audit log, newest first (admins only).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, user_id, login, action, target_kind, target_id, client_addr, detail FROM audit_log
         WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4",
    )
    .bind(q.user_id)
    .bind(q.action)
    .bind(q.before)
    .bind(limit + 1)
    .fetch_all(state.db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(
            |(id, at, user_id, login, action, target_kind, target_id, client_addr, detail)| {
                AuditEntry {
                    id,
                    at,
                    user_id,
                    login,
                    action,
                    target_kind,
                    target_id,
                    client_addr,
                    detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
                }
            },
        )
        .collect();
    let next_before = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}

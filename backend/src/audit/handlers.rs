//! HTTP handlers for the audit log.

use axum::extract::State;

use super::model::{AuditPage, AuditQuery, DEFAULT_PAGE_SIZE, PAGE_SIZES};
use super::store;
use crate::access::AdminUser;
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// The audit log, newest first (admins only).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !PAGE_SIZES.contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    // One more than asked tells whether an older page exists.
    let mut entries = store::list(&state.db, &q, limit + 1)
        .await
        .context("read the audit log")?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
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

//! HTTP handlers for reading and reviewing records, and for month locks.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::model::{
    LockBody, MonthLock, RecordDetail, RecordQuery, RecordSummary, ReviewBody, UnlockBody,
};
use super::store;
use super::write::{self, Change};
use crate::access::{AdminUser, CurrentUser};
use crate::audit::{self, Entry};
use crate::changes;
use crate::changes::item::{WriteMeta, Written};
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Json, Path, Query};
use crate::sites;
use crate::state::AppState;
use crate::store::now_millis;

/// Records of the coordinator's scope, newest first (drill-down).
#[utoipa::path(get, path = "/records", tag = "review", params(RecordQuery), responses((status = 200, body = Vec<RecordSummary>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<RecordSummary>>, ApiError> {
    user.require_staff()?;
    let filter = q.parse()?;
    let records = store::summaries(&state.db, &user.scope, &filter)
        .await
        .context("list records")?;
    let days = state.config.late_entry_days;
    Ok(Json(
        records
            .into_iter()
            .map(|r| r.with_late_entry(days))
            .collect(),
    ))
}

/// One record with its attendance (codes, no names) or head counts.
#[utoipa::path(get, path = "/records/{id}", tag = "review", params(("id" = String, Path)), responses((status = 200, body = RecordDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RecordDetail>, ApiError> {
    user.require_staff()?;
    let summary = summary_in_scope(&state, &user, &id).await?;
    let extras = store::extras(&state.db, &id)
        .await
        .context("load the record's notes")?;
    Ok(Json(RecordDetail {
        summary,
        notes: extras.notes,
        place_note: extras.place_note,
        attendance: store::attendees(&state.db, &user.scope, &id)
            .await
            .context("load attendees")?,
        tallies: store::tallies(&state.db, &id)
            .await
            .context("load head counts")?,
        tally_disabled: extras.tally_disabled,
    }))
}

/// Approves a record, or flags it with a comment (coordinators and admins).
#[utoipa::path(post, path = "/records/{id}/review", tag = "review", params(("id" = String, Path)), request_body = ReviewBody, responses((status = 200, body = RecordSummary), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> Result<Json<RecordSummary>, ApiError> {
    user.require_staff()?;
    let review = body.parse()?;
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    let stored = store::load_in_scope(&mut tx, &user.scope, &id)
        .await
        .context("load the record")?;
    let stored = stored.ok_or_else(|| ApiError::not_found("record"))?;
    let meta = WriteMeta {
        actor_id: user.id,
        now_ms: now_millis(),
        device_time: None,
    };
    match write::write(&mut tx, &id, Some(&stored), Change::Review(&review), &meta)
        .await
        .context("write the review")?
    {
        Written::Stored { .. } => {}
        Written::Refused(errors) => {
            let reason = errors.into_values().next().map(|r| r.sentence());
            return Err(ApiError::invalid_field(
                "status",
                reason.unwrap_or_default(),
            ));
        }
        Written::Lost => return Err(ApiError::not_found("record")),
    }
    let entry = Entry::by("record.review", &user)
        .target("record", &id)
        .detail(json!({ "status": review.status, "comment": review.comment }));
    audit::record(&mut tx, entry).await.context("audit")?;
    if review.status == "flagged" {
        // Queued in this transaction, sent in the background: the review
        // never waits on a push service.
        crate::push::notify::record_flagged(&mut tx, &id, user.id, meta.now_ms)
            .await
            .context("queue the recorder's notification")?;
    }
    tx.commit().await.context("commit")?;
    Ok(Json(summary_in_scope(&state, &user, &id).await?))
}

/// The locked months of a site.
#[utoipa::path(get, path = "/sites/{id}/locks", tag = "review", params(("id" = i64, Path)), responses((status = 200, body = Vec<MonthLock>), (status = 404, body = ErrorBody)))]
pub async fn list_locks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(site_id): Path<i64>,
) -> Result<Json<Vec<MonthLock>>, ApiError> {
    site_in_scope(&state, &user, site_id).await?;
    Ok(Json(
        store::locks(&state.db, site_id)
            .await
            .context("list locks")?,
    ))
}

/// Locks a site's month after review (coordinators and admins).
#[utoipa::path(post, path = "/sites/{id}/locks", tag = "review", params(("id" = i64, Path)), request_body = LockBody, responses((status = 201, body = MonthLock), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock_month(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(site_id): Path<i64>,
    Json(body): Json<LockBody>,
) -> Result<(StatusCode, Json<MonthLock>), ApiError> {
    user.require_staff()?;
    let month = body.parse()?;
    site_in_scope(&state, &user, site_id).await?;
    // Excluding every other writer of records: a push either lands before the
    // lock or is refused by it.
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    let lock = store::lock(&mut tx, site_id, &month, user.id)
        .await
        .context("lock the month")?;
    let lock = lock.ok_or_else(|| {
        ApiError::conflict(
            ErrorCode::AlreadyLocked,
            format!("{month} is already locked"),
        )
    })?;
    let entry = Entry::by("month.lock", &user)
        .target("site", site_id)
        .detail(json!({ "month": month }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok((StatusCode::CREATED, Json(lock)))
}

/// Reopens a locked month (admins only, with a reason).
#[utoipa::path(post, path = "/sites/{id}/unlock", tag = "review", params(("id" = i64, Path)), request_body = UnlockBody, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlock_month(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(site_id): Path<i64>,
    Json(body): Json<UnlockBody>,
) -> Result<StatusCode, ApiError> {
    let (month, reason) = body.parse()?;
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    if !store::unlock(&mut tx, site_id, &month)
        .await
        .context("unlock the month")?
    {
        return Err(ApiError::not_found("locked month"));
    }
    let entry = Entry::by("month.unlock", &admin)
        .target("site", site_id)
        .detail(json!({ "month": month, "reason": reason }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record `id` as the drill-down shows it, if live and in `user`'s scope, else 404.
async fn summary_in_scope(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<RecordSummary, ApiError> {
    store::summary(&state.db, &user.scope, id)
        .await
        .context("load the record")?
        .map(|r| r.with_late_entry(state.config.late_entry_days))
        .ok_or_else(|| ApiError::not_found("record"))
}

/// 404 unless `site_id` is in `user`'s scope.
async fn site_in_scope(state: &AppState, user: &CurrentUser, site_id: i64) -> Result<(), ApiError> {
    sites::store::get_site(&state.db, &user.scope, site_id)
        .await
        .context("load the site")?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("site"))
}

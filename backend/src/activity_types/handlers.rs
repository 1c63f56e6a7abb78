//! HTTP handlers for activity types.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::model::{ActivityType, ActivityTypeInput};
use super::store;
use crate::access::{AdminUser, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// Every activity type (any signed-in user).
#[utoipa::path(get, path = "/activity-types", tag = "activity types", responses((status = 200, body = Vec<ActivityType>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<ActivityType>>, ApiError> {
    Ok(Json(
        store::list_all(&state.db)
            .await
            .context("list activity types")?,
    ))
}

/// Adds an activity type (admins only).
#[utoipa::path(post, path = "/activity-types", tag = "activity types", request_body = ActivityTypeInput, responses((status = 201, body = ActivityType), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<ActivityTypeInput>,
) -> Result<(StatusCode, Json<ActivityType>), ApiError> {
    let t = body.parse(true)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let id = store::insert(&mut tx, &t)
        .await
        .context("insert the type")?;
    let entry = Entry::by("activity_type.create", &admin)
        .target("activity_type", id)
        .detail(json!({ "code": t.code, "kind": t.kind }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let created = store::get(&mut tx, id).await.context("load the type")?;
    tx.commit().await.context("commit")?;
    Ok((
        StatusCode::CREATED,
        Json(created.ok_or_else(|| ApiError::not_found("activity type"))?),
    ))
}

/// Edits labels, code, cycle length or the active flag (admins only).
#[utoipa::path(patch, path = "/activity-types/{id}", tag = "activity types", params(("id" = i64, Path)), request_body = ActivityTypeInput, responses((status = 200, body = ActivityType), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<ActivityTypeInput>,
) -> Result<Json<ActivityType>, ApiError> {
    let t = body.parse(false)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let current = store::get(&mut tx, id).await.context("load the type")?;
    t.check_against(&current.ok_or_else(|| ApiError::not_found("activity type"))?)?;
    store::update(&mut tx, id, &t)
        .await
        .context("update the type")?;
    let entry = Entry::by("activity_type.update", &admin)
        .target("activity_type", id)
        .detail(json!({
            "code": t.code, "cycle_sessions": t.cycle_sessions, "active": t.active
        }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let updated = store::get(&mut tx, id).await.context("load the type")?;
    tx.commit().await.context("commit")?;
    Ok(Json(
        updated.ok_or_else(|| ApiError::not_found("activity type"))?,
    ))
}

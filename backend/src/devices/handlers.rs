//! HTTP handlers for devices: the phone's own calls (its recovery key, its
//! status, "I wiped") and the admin's (a user's devices, mark for wiping).

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::model::{
    may_release, new_recovery_key, parse_device_id, DeviceKey, DeviceRequest, DeviceStatus,
    DeviceView, WipeMarked,
};
use super::store;
use crate::access::session::{session_error, LOGIN_AT_KEY};
use crate::access::{AdminUser, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::now_millis;
use crate::users::store as users;

/// Releases this device's recovery key to the signed-in user, registering
/// the device at its first call: only just after a password login (403
/// otherwise), or to a device marked for wiping (it must read its outbox to
/// send it). Another user's device, or one already
/// wiped, answers 404 (the phone then starts a new device id).
#[utoipa::path(post, path = "/devices/key", tag = "devices", request_body = DeviceRequest, responses(
    (status = 200, body = DeviceKey), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn key(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<DeviceRequest>,
) -> Result<Json<DeviceKey>, ApiError> {
    let id = parse_device_id(&body.device_id)?;
    let now = now_millis();
    let mut tx = state.db.begin().await.context("begin")?;
    store::insert_if_absent(&mut tx, &id, user.id, &new_recovery_key(), now)
        .await
        .context("register the device")?;
    let row = store::get(&mut tx, &id)
        .await
        .context("load the device")?
        .filter(|row| row.user_id == user.id && row.wiped_at.is_none())
        .ok_or_else(|| ApiError::not_found("device"))?;
    let key = row
        .recovery_key
        .ok_or_else(|| ApiError::not_found("device"))?;
    let wipe = row.wipe_requested_at.is_some();
    let login_at: Option<i64> = user
        .session
        .get(LOGIN_AT_KEY)
        .await
        .map_err(session_error)?;
    let window_ms = state.config.device_key_window_secs * 1000;
    if !may_release(login_at, now, window_ms, wipe) {
        return Err(ApiError::forbidden(
            "the device key is released only just after a password login",
        ));
    }
    store::seen(&mut tx, &id, now)
        .await
        .context("mark the device seen")?;
    let entry = Entry::by("device.key_released", &user)
        .target("device", &id)
        .detail(json!({ "wipe": wipe }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(DeviceKey {
        device_id: id,
        key,
        wipe,
    }))
}

/// Whether this device is to be wiped, and how long it keeps records (the
/// phone asks at each contact).
#[utoipa::path(post, path = "/devices/status", tag = "devices", request_body = DeviceRequest, responses(
    (status = 200, body = DeviceStatus), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<DeviceRequest>,
) -> Result<Json<DeviceStatus>, ApiError> {
    let id = parse_device_id(&body.device_id)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let row = store::get(&mut tx, &id)
        .await
        .context("load the device")?
        .filter(|row| row.user_id == user.id)
        .ok_or_else(|| ApiError::not_found("device"))?;
    store::seen(&mut tx, &id, now_millis())
        .await
        .context("mark the device seen")?;
    tx.commit().await.context("commit")?;
    Ok(Json(DeviceStatus {
        wipe: row.wipe_requested_at.is_some() && row.wiped_at.is_none(),
        keep_records_days: state.config.phone_keeps_records_days,
    }))
}

/// The phone deleted this user's data: the recovery key is forgotten.
/// Saying it twice changes nothing.
#[utoipa::path(post, path = "/devices/wiped", tag = "devices", request_body = DeviceRequest, responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn wiped(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<DeviceRequest>,
) -> Result<StatusCode, ApiError> {
    let id = parse_device_id(&body.device_id)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let row = store::get(&mut tx, &id)
        .await
        .context("load the device")?
        .filter(|row| row.user_id == user.id)
        .ok_or_else(|| ApiError::not_found("device"))?;
    if row.wiped_at.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    store::mark_wiped(&mut tx, &id, now_millis())
        .await
        .context("mark the device wiped")?;
    let entry = Entry::by("device.wiped", &user)
        .target("device", &id)
        .detail(json!({ "requested": row.wipe_requested_at.is_some() }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's devices (admins only; never their keys).
#[utoipa::path(get, path = "/users/{id}/devices", tag = "devices", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<DeviceView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_of_user(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DeviceView>>, ApiError> {
    users::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut conn = state.db.pool().acquire().await.context("connect")?;
    Ok(Json(
        store::of_user(&mut conn, id)
            .await
            .context("list the devices")?,
    ))
}

/// Marks every device of a user for wiping (a lost or taken phone; admins
/// only). Each phone sends its outbox and deletes the user's data at its
/// next contact.
#[utoipa::path(post, path = "/users/{id}/devices/wipe", tag = "devices", params(("id" = i64, Path)), responses(
    (status = 200, body = WipeMarked), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn wipe_user_devices(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
) -> Result<Json<WipeMarked>, ApiError> {
    users::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut tx = state.db.begin().await.context("begin")?;
    let devices = store::request_wipe(&mut tx, id, now_millis())
        .await
        .context("mark the devices")?;
    let entry = Entry::by("device.wipe_requested", &admin)
        .target("user", id)
        .detail(json!({ "devices": devices }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(WipeMarked { devices }))
}

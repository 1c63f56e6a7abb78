//! HTTP handlers for accounts: thin, over `model` (rules) and `store` (SQL).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;

use super::model::{
    check_password, check_sites, dedup, CreateUser, SetPassword, UpdateUser, UserView,
};
use super::store::{self, UserChanges};
use crate::audit::{self, Entry};
use crate::auth::{password, AdminUser, CurrentUser, Role};
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::validate::Checker;
use crate::AppState;

/// Users in the caller's scope (admins: all; coordinators: those sharing a site).
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UserView>>, ApiError> {
    user.require_staff()?;
    Ok(Json(store::list(&state.db, &user.scope).await?))
}

/// One user, if in the caller's scope.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    user.require_staff()?;
    let visible = store::list(&state.db, &user.scope).await?;
    visible
        .into_iter()
        .find(|u| u.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Creates an account (admins only).
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser, responses(
    (status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let (new_user, plain) = body.parse()?;
    let hash = password::hash(plain).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &new_user, &hash).await?;
    audit::record(
        &mut tx,
        Entry::new("user.create").actor(admin.id, &admin.login).addr(&admin.client_addr).target("user", id).detail(json!({
            "login": new_user.login, "role": new_user.role, "all_sites": new_user.all_sites, "site_ids": new_user.site_ids
        })),
    )
    .await?;
    tx.commit().await?;
    let created = store::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Edits, deactivates or reassigns an account (admins only). The last
/// active admin cannot be demoted or deactivated.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUser, responses(
    (status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<UpdateUser>,
) -> Result<Json<UserView>, ApiError> {
    let current = store::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut check = Checker::new();
    let display_name = body
        .display_name
        .as_deref()
        .map(|n| check.text("display_name", n, 1, 100));
    let role = body.role.unwrap_or(current.role);
    let all_sites = body
        .all_sites
        .unwrap_or(current.all_sites && current.role != Role::Admin);
    check_sites(
        &mut check,
        role,
        all_sites,
        body.site_ids.as_deref().unwrap_or(&[]),
    );
    check.finish(())?;
    let changes = UserChanges {
        display_name,
        role: body.role,
        language: body.language,
        active: body.active,
        all_sites: body.all_sites,
    };

    let mut tx = state.db.begin().await?;
    let stays_admin = role == Role::Admin && body.active.unwrap_or(current.active);
    if current.role == Role::Admin
        && !stays_admin
        && store::other_active_admins(&mut tx, id).await? == 0
    {
        return Err(ApiError::Conflict {
            code: "last_admin",
            message: "this is the last active admin; make another admin first".into(),
        });
    }
    // Coordinators demoted to a field role lose programme-wide access.
    let changes = if !role.may_have_all_sites() {
        UserChanges {
            all_sites: Some(false),
            ..changes
        }
    } else {
        changes
    };
    store::update(&mut tx, id, &changes).await?;
    if let Some(site_ids) = body.site_ids.clone() {
        store::set_sites(&mut tx, id, &dedup(site_ids)).await?;
    }
    audit::record(
        &mut tx,
        Entry::new("user.update").actor(admin.id, &admin.login).addr(&admin.client_addr).target("user", id).detail(json!({
            "display_name": changes.display_name, "role": body.role, "language": body.language, "active": body.active,
            "all_sites": changes.all_sites, "site_ids": body.site_ids
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        store::get(&state.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?,
    ))
}

/// Sets a new password for an account (admins only).
#[utoipa::path(post, path = "/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = SetPassword, responses(
    (status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<SetPassword>,
) -> Result<StatusCode, ApiError> {
    let mut check = Checker::new();
    check_password(&mut check, &body.password);
    check.finish(())?;
    store::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let hash = password::hash(body.password).await?;
    let mut tx = state.db.begin().await?;
    store::set_password_hash(&mut tx, id, &hash).await?;
    audit::record(
        &mut tx,
        Entry::new("user.password_reset")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("user", id),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

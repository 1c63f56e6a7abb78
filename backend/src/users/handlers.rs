//! HTTP handlers for accounts and for the signed-in user's own record:
//! thin, over `model` (rules) and `store` (SQL).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::json;

use super::model::{
    check_password, dedup, CreateUser, Me, SetPassword, UpdateMe, UpdateUser, UserView,
};
use super::{password, store};
use crate::access::{AdminUser, AuthCache, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::validate::Checker;

/// Users in the caller's scope (admins: all; coordinators: those sharing a site).
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UserView>>, ApiError> {
    user.require_staff()?;
    let users = store::list(&state.db, &user.scope)
        .await
        .context("list users")?;
    Ok(Json(users))
}

/// One user, if in the caller's scope.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    user.require_staff()?;
    let visible = store::list(&state.db, &user.scope)
        .await
        .context("list users")?;
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
    let hash = password::hash(plain).await.context("hash the password")?;
    let mut tx = state.db.begin().await.context("begin")?;
    let id = store::insert(&mut tx, &new_user, &hash)
        .await
        .context("insert the user")?;
    let detail = json!({
        "login": new_user.login, "role": new_user.role, "all_sites": new_user.all_sites, "site_ids": new_user.site_ids
    });
    let entry = Entry::new("user.create")
        .actor(admin.id, &admin.login)
        .addr(&admin.client_addr)
        .target("user", id)
        .detail(detail);
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    let created = user_view(&state, id).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Edits, deactivates or reassigns an account (admins only). The last
/// active admin cannot be demoted or deactivated.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUser, responses(
    (status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Extension(cache): Extension<AuthCache>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<UpdateUser>,
) -> Result<Json<UserView>, ApiError> {
    let current = user_view(&state, id).await?;
    let changes = body.parse(&current)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let other_admins = store::other_active_admins(&mut tx, id)
        .await
        .context("count admins")?;
    if body.removes_last_admin(&current, other_admins) {
        return Err(ApiError::conflict(
            ErrorCode::LastAdmin,
            "this is the last active admin; make another admin first",
        ));
    }
    store::update(&mut tx, id, &changes)
        .await
        .context("update the user")?;
    if body.active == Some(false) {
        store::end_sessions(&mut tx, id)
            .await
            .context("end the user's sessions")?;
    }
    if let Some(site_ids) = body.site_ids.clone() {
        store::set_sites(&mut tx, id, &dedup(site_ids))
            .await
            .context("set the user's sites")?;
    }
    let detail = json!({
        "display_name": changes.display_name, "role": body.role, "language": body.language, "active": body.active,
        "all_sites": changes.all_sites, "site_ids": body.site_ids
    });
    let entry = Entry::new("user.update")
        .actor(admin.id, &admin.login)
        .addr(&admin.client_addr)
        .target("user", id)
        .detail(detail);
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    // Other instances let go of what they remember within half a second.
    cache.forget_user(id);
    Ok(Json(user_view(&state, id).await?))
}

/// Sets a new password for an account (admins only).
#[utoipa::path(post, path = "/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = SetPassword, responses(
    (status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(cache): Extension<AuthCache>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<SetPassword>,
) -> Result<StatusCode, ApiError> {
    let mut check = Checker::new();
    check_password(&mut check, &body.password);
    check.finish(())?;
    user_view(&state, id).await?;
    let hash = password::hash(body.password)
        .await
        .context("hash the password")?;
    let mut tx = state.db.begin().await.context("begin")?;
    store::set_password_hash(&mut tx, id, &hash)
        .await
        .context("store the hash")?;
    let entry = Entry::new("user.password_reset")
        .actor(admin.id, &admin.login)
        .addr(&admin.client_addr)
        .target("user", id);
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    cache.forget_user(id);
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user: role, language and the sites they work at.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    Extension(cache): Extension<AuthCache>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    // Phones ask often; the answer is remembered for half a second (a
    // change made here is forgotten at once: see access::cache).
    let answer = match cache.me.get(&user.id) {
        Some(answer) => answer,
        None => {
            let me = store::me(&state.db, user.id).await.context("load me")?;
            let json = serde_json::to_vec(&me)
                .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("write me")))?;
            let answer = Bytes::from(json);
            cache.me.put(user.id, answer.clone());
            answer
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}

/// Changes the signed-in user's own settings (their language).
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = UpdateMe, responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    Extension(cache): Extension<AuthCache>,
    user: CurrentUser,
    Json(body): Json<UpdateMe>,
) -> Result<Json<Me>, ApiError> {
    let mut tx = state.db.begin().await.context("begin")?;
    store::set_language(&mut tx, user.id, body.language)
        .await
        .context("set the language")?;
    let entry = Entry::new("user.language")
        .actor(user.id, &user.login)
        .addr(&user.client_addr)
        .target("user", user.id)
        .detail(json!({ "language": body.language }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    cache.forget_user(user.id);
    Ok(Json(
        store::me(&state.db, user.id).await.context("load me")?,
    ))
}

/// The user `id` as the management screens show it, or 404.
async fn user_view(state: &AppState, id: i64) -> Result<UserView, ApiError> {
    store::get(&state.db, id)
        .await
        .context("load the user")?
        .ok_or_else(|| ApiError::not_found("user"))
}

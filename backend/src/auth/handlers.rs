//! Login, logout and the signed-in user's own record.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tower_sessions::Session;

use super::current_user::{session_error, USER_ID_KEY};
use super::{password, throttle, ClientAddr, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::users::model::{Language, Me};
use crate::users::store as users;
use crate::validate::Checker;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// Signs in. The session id is replaced at login so an id planted before
/// login is worthless after it.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    Json(body): Json<LoginRequest>,
) -> Result<Json<Me>, ApiError> {
    let mut check = Checker::new();
    let login = check.text("login", &body.login, 1, 64).to_lowercase();
    if body.password.is_empty() || body.password.chars().count() > password::MAX_PASSWORD_CHARS {
        check.fail(
            "password",
            format!("must be 1 to {} characters", password::MAX_PASSWORD_CHARS),
        );
    }
    check.finish(())?;

    let policy = state.config.throttle;
    if let Err(refusal) = throttle::check(&state.db, &policy, &login, &addr).await {
        audit::record_standalone(
            &state.db,
            Entry::new("auth.login_throttled").login(&login).addr(&addr),
        )
        .await?;
        return Err(refusal);
    }

    let account = users::credentials(&state.db, &login).await?;
    let stored_hash = account
        .as_ref()
        .filter(|a| a.active)
        .map(|a| a.password_hash.clone());
    if !password::verify(body.password, stored_hash).await? {
        let mut tx = state.db.begin().await?;
        throttle::record_failure(&mut tx, &policy, &login, &addr).await?;
        audit::record(
            &mut tx,
            Entry::new("auth.login_failed").login(&login).addr(&addr),
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::InvalidCredentials);
    }
    let account = account.expect("verified accounts exist");

    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, account.id)
        .await
        .map_err(session_error)?;
    let mut tx = state.db.begin().await?;
    throttle::clear(&mut tx, &login).await?;
    audit::record(
        &mut tx,
        Entry::new("auth.login")
            .actor(account.id, &login)
            .addr(&addr),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(users::me(&state.db, account.id).await?))
}

/// Signs out: the server forgets the session; the cookie is cleared.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    if let Some(user) = user {
        audit::record_standalone(
            &state.db,
            Entry::new("auth.logout")
                .actor(user.id, &user.login)
                .addr(&user.client_addr),
        )
        .await?;
    }
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user: role, language and the sites they work at.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    Ok(Json(users::me(&state.db, user.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub language: Language,
}

/// Changes the signed-in user's own settings (their language).
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = UpdateMe, responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<UpdateMe>,
) -> Result<Json<Me>, ApiError> {
    let mut tx = state.db.begin().await?;
    users::set_language(&mut tx, user.id, body.language).await?;
    audit::record(
        &mut tx,
        Entry::new("user.language")
            .actor(user.id, &user.login)
            .addr(&user.client_addr)
            .target("user", user.id)
            .detail(serde_json::json!({ "language": body.language })),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(users::me(&state.db, user.id).await?))
}

//! Signing in and out.

use axum::extract::State;
use axum::http::StatusCode;
use tower_sessions::Session;

use super::model::LoginRequest;
use super::throttle;
use crate::access::session::{session_error, EPOCH_KEY, LOGIN_AT_KEY, USER_ID_KEY};
use crate::access::{ClientAddr, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::Json;
use crate::state::AppState;
use crate::users::model::Me;
use crate::users::{password, store as users};

/// Signs in. The session id is replaced at login so an id planted before
/// login is worthless after it; the session carries the user's epoch, so a
/// password reset ends it.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    Json(body): Json<LoginRequest>,
) -> Result<Json<Me>, ApiError> {
    let login = body.login_name()?;
    let policy = state.config.throttle;
    let keys = throttle::Keys::new(&login, &addr);
    let wait = throttle::attempt(&state.db, &policy, &keys)
        .await
        .context("count the attempt")?;
    if let Some(retry_after_secs) = wait {
        let entry = Entry::new("auth.login_throttled").login(&login).addr(&addr);
        audit::record_standalone(&state.db, entry)
            .await
            .context("audit")?;
        return Err(ApiError::TooManyAttempts { retry_after_secs });
    }

    let account = users::credentials(&state.db, &login)
        .await
        .context("load credentials")?;
    let stored_hash = account
        .as_ref()
        .filter(|a| a.active)
        .map(|a| a.password_hash.clone());
    if !password::verify(body.password, stored_hash)
        .await
        .context("verify the password")?
    {
        throttle::failed(&state.db, &policy)
            .await
            .context("forget old attempts")?;
        let entry = Entry::new("auth.login_failed").login(&login).addr(&addr);
        audit::record_standalone(&state.db, entry)
            .await
            .context("audit")?;
        return Err(ApiError::InvalidCredentials);
    }
    let account = account.expect("verified accounts exist");

    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, account.id)
        .await
        .map_err(session_error)?;
    session
        .insert(EPOCH_KEY, account.session_epoch)
        .await
        .map_err(session_error)?;
    session
        .insert(LOGIN_AT_KEY, crate::store::now_millis())
        .await
        .map_err(session_error)?;
    let mut tx = state.db.begin().await.context("begin")?;
    throttle::succeeded(&mut tx, &keys)
        .await
        .context("clear the attempts")?;
    let entry = Entry::new("auth.login")
        .actor(account.id, &login)
        .addr(&addr);
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(
        users::me(&state.db, account.id).await.context("load me")?,
    ))
}

/// Signs out: the server forgets the session; the cookie is cleared.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    if let Some(user) = user {
        let entry = Entry::new("auth.logout")
            .actor(user.id, &user.login)
            .addr(&user.client_addr);
        audit::record_standalone(&state.db, entry)
            .await
            .context("audit")?;
    }
    // This device's push subscriptions leave with its session.
    if let Some(hash) = crate::push::session_hash(&session) {
        crate::push::store::unsubscribe_session(&state.db, &hash)
            .await
            .context("remove this device's push subscriptions")?;
    }
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT)
}

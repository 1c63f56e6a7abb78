//! HTTP handlers for participant-code prefixes and participant search.

use axum::extract::State;
use axum::http::StatusCode;

use super::model::{
    works_with_participants, FindQuery, Found, Prefix, PREFIXES_PER_USER, PREFIX_WINDOW_MS,
};
use super::store::{self, Issued};
use crate::access::{CurrentUser, Role};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Query};
use crate::state::AppState;
use crate::store::now_millis;

/// Hands this phone a fresh participant-code prefix (see `participants::code`).
#[utoipa::path(post, path = "/participants/prefixes", tag = "participants", responses((status = 201, body = Prefix), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn new_prefix(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<(StatusCode, Json<Prefix>), ApiError> {
    works_with_participants(user.role).map_err(ApiError::forbidden)?;
    let issued = store::issue_prefix(&state.db, user.id, PREFIXES_PER_USER, PREFIX_WINDOW_MS)
        .await
        .context("issue a prefix")?;
    match issued {
        Issued::Prefix(prefix) => Ok((StatusCode::CREATED, Json(Prefix { prefix }))),
        Issued::Limited { until_ms } => Err(ApiError::RateLimited {
            message: format!("at most {PREFIXES_PER_USER} code prefixes a day for one account"),
            retry_after_secs: ((until_ms - now_millis()) / 1000 + 1).max(1) as u64,
        }),
    }
}

/// Participants in the user's scope by code or given name.
#[utoipa::path(get, path = "/participants", tag = "participants", params(FindQuery), responses((status = 200, body = Vec<Found>), (status = 422, body = ErrorBody)))]
pub async fn find(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindQuery>,
) -> Result<Json<Vec<Found>>, ApiError> {
    let (text, limit) = q.parse()?;
    if user.role == Role::Mobiliser {
        // Mobilisers never hold participants.
        return Ok(Json(vec![]));
    }
    let found = store::search(&state.db, &user.scope, text, limit)
        .await
        .context("search participants")?;
    Ok(Json(found))
}

//! HTTP handlers for participant-code prefixes and participant search.

use axum::extract::{Query, State};
use axum::http::StatusCode;

use super::model::{works_with_participants, FindQuery, Found, Prefix};
use super::store;
use crate::access::{CurrentUser, Role};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::json::Json;
use crate::state::AppState;

/// Hands this phone a fresh participant-code prefix (see `participants::code`).
#[utoipa::path(post, path = "/participants/prefixes", tag = "participants", responses((status = 201, body = Prefix), (status = 403, body = ErrorBody)))]
pub async fn new_prefix(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<(StatusCode, Json<Prefix>), ApiError> {
    works_with_participants(user.role).map_err(ApiError::forbidden)?;
    let prefix = store::issue_prefix(&state.db, user.id)
        .await
        .context("issue a prefix")?;
    Ok((StatusCode::CREATED, Json(Prefix { prefix })))
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

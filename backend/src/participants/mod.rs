//! Participants: the people who attend individually recorded activities,
//! registered on phones (offline) with a readable code. They travel through
//! [`crate::sync`]; this module adds code prefixes and search.

pub mod code;
pub mod model;
pub mod store;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::sync::item::works_with_participants;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_prefix))
        .routes(routes!(find))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Prefix {
    /// Three characters; the phone numbers its codes under it.
    pub prefix: String,
}

/// Hands this phone a fresh participant-code prefix (see `participants::code`).
#[utoipa::path(post, path = "/participants/prefixes", tag = "participants", responses((status = 201, body = Prefix), (status = 403, body = ErrorBody)))]
pub async fn new_prefix(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<(StatusCode, Json<Prefix>), ApiError> {
    works_with_participants(user.role).map_err(ApiError::forbidden)?;
    let prefix = store::issue_prefix(&state.db, user.id).await?;
    Ok((StatusCode::CREATED, Json(Prefix { prefix })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FindQuery {
    /// The start of a code (hyphen optional) or part of a given name.
    pub q: String,
    pub limit: Option<i64>,
}

/// Participants in the user's scope by code or given name.
#[utoipa::path(get, path = "/participants", tag = "participants", params(FindQuery), responses((status = 200, body = Vec<store::Found>), (status = 422, body = ErrorBody)))]
pub async fn find(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindQuery>,
) -> Result<Json<Vec<store::Found>>, ApiError> {
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > 60 {
        return Err(ApiError::invalid_field("q", "must be 1 to 60 characters"));
    }
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    Ok(Json(
        store::search(&state.db, &user.scope, user.role, text, limit).await?,
    ))
}

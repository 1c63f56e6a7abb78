//! How phones and server agree (DESIGN.md §4): phones push what they made
//! offline and pull what changed in their scope, by a server-side cursor.
//!
//! - [`item`]: the one rule every pushed item goes through;
//! - [`push`]: a batch, one answer per item;
//! - [`pull`]: pages of changes after a cursor;
//! - [`clock`]: the change feed and its ordering.

pub mod clock;
pub mod item;
pub mod pull;
pub mod push;
pub mod rows;

use axum::extract::{DefaultBodyLimit, Query, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::AppState;
use item::{Actor, ItemResult};

/// A full push of 200 records with big rosters fits; anything larger is refused.
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push_items))
        .layer(DefaultBodyLimit::max(PUSH_BODY_LIMIT))
        .routes(routes!(pull_changes))
}

/// A batch from a phone's outbox.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    /// Each `{type: participant|group|record, id (UUID), base_version (0 for new), deleted?, data?, device_time?}`.
    /// Items are read one by one, so one malformed item is answered on its own.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PushAnswer {
    /// One answer per item, in the order sent.
    pub results: Vec<ItemResult>,
}

/// Stores what a phone made offline: each item is answered stored,
/// duplicate, conflict (with the server's copy) or invalid (with reasons).
#[utoipa::path(post, path = "/sync/push", tag = "sync", request_body = PushBody, responses(
    (status = 200, body = PushAnswer), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<PushBody>,
) -> Result<Json<PushAnswer>, ApiError> {
    if body.items.len() > push::MAX_ITEMS {
        return Err(ApiError::BadRequest {
            code: "batch_too_large",
            message: format!(
                "at most {} items per push; send the rest in another",
                push::MAX_ITEMS
            ),
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        });
    }
    let pusher = push::Pusher {
        actor: Actor {
            user_id: user.id,
            role: user.role,
            scope: user.scope,
        },
        login: &user.login,
        addr: &user.client_addr,
    };
    let results = push::push(&state.db, &pusher, body.items).await?;
    Ok(Json(PushAnswer { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor of the previous page; absent for everything.
    pub cursor: Option<String>,
    /// Changes per page (default 500, at most 1000).
    pub limit: Option<i64>,
}

/// What changed in the user's scope since `cursor`, oldest first.
#[utoipa::path(get, path = "/sync/pull", tag = "sync", params(PullQuery), responses((status = 200, body = pull::Page), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pull_changes(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PullQuery>,
) -> Result<Json<pull::Page>, ApiError> {
    let limit = q.limit.unwrap_or(pull::DEFAULT_PAGE);
    if !(1..=pull::MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be between 1 and {}", pull::MAX_PAGE),
        ));
    }
    let puller = pull::Puller {
        user_id: user.id,
        role: user.role,
        scope: user.scope,
    };
    Ok(Json(
        pull::pull(&state.db, &puller, q.cursor.as_deref(), limit).await?,
    ))
}

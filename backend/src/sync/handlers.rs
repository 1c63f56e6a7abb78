//! HTTP handlers for push and pull.

use axum::extract::State;
use axum::http::StatusCode;

use super::model::{Page, PullQuery, PushAnswer, PushBody, DEFAULT_PAGE, MAX_ITEMS, MAX_PAGE};
use super::{pull, push};
use crate::access::CurrentUser;
use crate::changes::item::Actor;
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Batch, Json, Query};
use crate::monitoring::model::SYNC_ITEMS;
use crate::state::AppState;

/// Stores what a phone made offline: each item is answered stored,
/// duplicate, conflict (with the server's copy) or invalid (with reasons).
#[utoipa::path(post, path = "/sync/push", tag = "sync", request_body = PushBody, responses(
    (status = 200, body = PushAnswer), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Batch(body): Batch<PushBody>,
) -> Result<Json<PushAnswer>, ApiError> {
    if body.items.len() > MAX_ITEMS {
        return Err(ApiError::BadRequest {
            code: ErrorCode::BatchTooLarge,
            message: format!("at most {MAX_ITEMS} items per push; send the rest in another"),
            status: StatusCode::PAYLOAD_TOO_LARGE,
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
        referral_notes: state.config.referrals.notes,
    };
    let results = push::push(&state.db, &pusher, body.items)
        .await
        .context("push")?;
    for result in &results {
        metrics::counter!(SYNC_ITEMS, "answer" => result.status.as_str()).increment(1);
    }
    Ok(Json(PushAnswer { results }))
}

/// What changed in the user's scope since `cursor`, oldest first.
#[utoipa::path(get, path = "/sync/pull", tag = "sync", params(PullQuery), responses((status = 200, body = Page), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pull_changes(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PullQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    let puller = pull::Puller {
        user_id: user.id,
        role: user.role,
        scope: user.scope,
        keep_sent_days: state.config.phone_keeps_sent_days,
        referral_overdue_days: state.config.referrals.overdue_days,
    };
    let page = pull::pull(&state.db, &puller, q.cursor.as_deref(), limit)
        .await
        .context("pull")?;
    Ok(Json(page))
}

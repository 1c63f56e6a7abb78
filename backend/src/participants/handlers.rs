//! HTTP handlers for participant-code prefixes and participant search.

use axum::extract::State;
use axum::http::StatusCode;

use serde_json::json;

use super::code;
use super::merge::{self, Refusal};
use super::model::{
    likely_duplicates, works_with_participants, Duplicate, FindQuery, Found, MergeBody, Merged,
    Minimal, Prefix, LOOKUPS_PER_WINDOW, LOOKUP_ACTION, LOOKUP_WINDOW_MS, PREFIXES_PER_USER,
    PREFIX_WINDOW_MS,
};
use super::store::{self, Issued};
use crate::access::{CurrentUser, Role};
use crate::audit::{self, Entry};
use crate::changes;
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Json, Path, Query};
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

/// One participant by the code on her card, from any site of the
/// programme: her minimal form only (no name, no birth year, no answers).
/// Exact codes only, each lookup audited and a user's lookups bounded per
/// hour, so codes cannot be walked through.
#[utoipa::path(get, path = "/participants/code/{code}", tag = "participants", params(("code" = String, Path, description = "A participant code, hyphen optional")),
    responses((status = 200, body = Minimal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn by_code(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(typed): Path<String>,
) -> Result<Json<Minimal>, ApiError> {
    works_with_participants(user.role).map_err(ApiError::forbidden)?;
    let canonical = code::normalise(&typed).filter(|c| code::is_valid(c));
    let Some(canonical) = canonical else {
        return Err(ApiError::BadRequest {
            code: ErrorCode::InvalidCode,
            message: "not a participant code, or its check character does not match".into(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        });
    };
    let since = now_millis() - LOOKUP_WINDOW_MS;
    let recent = audit::store::count_since(&state.db, user.id, LOOKUP_ACTION, since)
        .await
        .context("count recent lookups")?;
    if recent >= LOOKUPS_PER_WINDOW {
        return Err(ApiError::RateLimited {
            message: format!("at most {LOOKUPS_PER_WINDOW} code lookups an hour"),
            retry_after_secs: (LOOKUP_WINDOW_MS / 1000) as u64,
        });
    }
    let found = store::find_by_code(&state.db, &canonical)
        .await
        .context("find by code")?;
    let entry = Entry::by(LOOKUP_ACTION, &user)
        .detail(json!({ "code": canonical, "found": found.is_some() }));
    let entry = match &found {
        Some(p) => entry.target("participant", &p.id),
        None => entry,
    };
    audit::record_standalone(&state.db, entry)
        .await
        .context("audit the lookup")?;
    found
        .map(|p| Json(p.shown()))
        .ok_or_else(|| ApiError::not_found("participant"))
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

/// Likely duplicates among the participants of the caller's sites (see
/// [`likely_duplicates`]): codes and sites, never names.
#[utoipa::path(get, path = "/participants/duplicates", tag = "participants", responses((status = 200, body = Vec<Duplicate>), (status = 403, body = ErrorBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Duplicate>>, ApiError> {
    user.require_staff()?;
    let people = store::candidates(&state.db, &user.scope)
        .await
        .context("list candidates")?;
    Ok(Json(likely_duplicates(people)))
}

/// Merges one participant into another (see [`merge`]): a coordinator with
/// both sites in scope, or an admin.
#[utoipa::path(post, path = "/participants/merge", tag = "participants", request_body = MergeBody, responses((status = 200, body = Merged), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge_two(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<MergeBody>,
) -> Result<Json<Merged>, ApiError> {
    user.require_staff()?;
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    let outcome = merge::merge(&mut tx, &user.scope, &body, now_millis())
        .await
        .context("merge")?;
    let (merged, keep, gone) = match outcome {
        Ok(done) => done,
        Err(Refusal::NotFound) => return Err(ApiError::not_found("participant")),
        Err(Refusal::Invalid(field, reason)) => return Err(ApiError::invalid_field(field, reason)),
    };
    let entry = Entry::by("participant.merge", &user)
        .target("participant", &keep.id)
        .detail(json!({
            "keep": keep.id, "keep_code": keep.code, "keep_site_id": keep.site_id,
            "merge": gone.id, "merge_code": gone.code, "merge_site_id": gone.site_id,
            "records": merged.records, "attendances_moved": merged.attendances_moved,
            "attendances_joined": merged.attendances_joined, "groups": merged.groups,
        }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(merged))
}

//! HTTP handlers for imports (admins only).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Kind, Language};
use super::run::{self, Asked, Outcome, Report};
use crate::access::AdminUser;
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    DryRun,
    Apply,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `dry_run` (writes nothing) or `apply`.
    pub mode: Mode,
    /// With `apply`: write the good rows of a file that has bad ones.
    #[serde(default)]
    pub accept_good_rows: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    pub language: Language,
}

/// Whether a request's content type is one a CSV file arrives as (browsers
/// on Windows send `application/vnd.ms-excel`; scripts often send none).
fn is_csv(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let mime = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        mime.as_str(),
        "text/csv"
            | "text/plain"
            | "application/csv"
            | "application/vnd.ms-excel"
            | "application/octet-stream"
    )
}

fn kind_of(kind: &str) -> Result<Kind, ApiError> {
    Kind::parse(kind).ok_or_else(|| ApiError::not_found("import kind"))
}

/// Imports a CSV file of `participants` or `groups` (one row per roster
/// place). The answer reports every bad row by row and column; an apply of
/// a file with problems is refused (422, the same report) unless
/// `accept_good_rows`.
#[utoipa::path(post, path = "/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "participants or groups"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = Report)))]
pub async fn import(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(kind): Path<String>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    if !is_csv(&headers) {
        return Err(ApiError::BadRequest {
            code: ErrorCode::UnsupportedMediaType,
            message: "send the file as text/csv".into(),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        });
    }
    // A file past the import's limit gets the usual JSON error body.
    let body = body.map_err(|rejection| ApiError::BadRequest {
        code: if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::BadRequest
        },
        message: format!(
            "the file could not be read (at most {} MB)",
            super::MAX_FILE_BYTES / (1024 * 1024)
        ),
        status: rejection.status(),
    })?;
    let asked = Asked {
        apply: matches!(query.mode, Mode::Apply),
        accept_good_rows: query.accept_good_rows,
    };
    let outcome = run::run(&state.db, &admin, kind, &body, asked)
        .await
        .map_err(ApiError::Internal)
        .context("import a file")?;
    Ok(match outcome {
        Outcome::Done(report) => Json(report).into_response(),
        Outcome::Refused(report) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(report)).into_response()
        }
    })
}

/// The template of a kind: the header row in `language` and one example row.
#[utoipa::path(get, path = "/imports/{kind}/template", tag = "imports",
    params(("kind" = String, Path, description = "participants or groups"), TemplateQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn template(
    AdminUser(_admin): AdminUser,
    Path(kind): Path<String>,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    let language = match query.language {
        Language::En => "en",
        Language::Ar => "ar",
        Language::Ckb => "ckb",
    };
    let disposition = format!(
        "attachment; filename=\"sijil-{}-{language}.csv\"",
        kind.as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        model::template(kind, query.language),
    )
        .into_response())
}

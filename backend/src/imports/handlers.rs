//! HTTP handlers for imports (admins only).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Kind, Language};
use super::run::{self, Asked, Outcome, Report};
use super::table::{self, Table};
use super::xlsx;
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
    /// `csv` (the default) or `xlsx`.
    #[serde(default)]
    pub format: TemplateFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFormat {
    #[default]
    Csv,
    Xlsx,
}

/// The content type of an XLSX workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// How a file arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Xlsx,
}

/// The format a request's content type names: a CSV file (browsers on
/// Windows send `application/vnd.ms-excel`), a workbook, or, for a type
/// that says nothing (`application/octet-stream`, or none, as scripts
/// send), whichever the first bytes show. `None`: neither.
fn format_of(headers: &HeaderMap, body: &[u8]) -> Option<Format> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .map(|value| {
            value
                .to_str()
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match mime.as_str() {
        XLSX => Some(Format::Xlsx),
        "text/csv" | "text/plain" | "application/csv" | "application/vnd.ms-excel" => {
            Some(Format::Csv)
        }
        "" | "application/octet-stream" if xlsx::looks_like_zip(body) => Some(Format::Xlsx),
        "" | "application/octet-stream" => Some(Format::Csv),
        _ => None,
    }
}

/// Reads the file into a table. A workbook is unpacked off the async
/// threads (up to [`xlsx::MAX_UNPACKED_BYTES`] of XML).
async fn read(kind: Kind, format: Format, body: Bytes) -> Result<Table, ApiError> {
    match format {
        Format::Csv => Ok(table::read_csv(kind, &body)),
        Format::Xlsx => {
            let read = tokio::task::spawn_blocking(move || xlsx::read(kind, &body))
                .await
                .map_err(|e| ApiError::Internal(e.into()))
                .context("read a workbook")?;
            read.map_err(|refusal| match refusal {
                xlsx::Refusal::NotASpreadsheet(why) => ApiError::BadRequest {
                    code: ErrorCode::NotASpreadsheet,
                    message: format!("the file is not a readable XLSX workbook: {why}"),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
                xlsx::Refusal::TooLarge(why) => ApiError::BadRequest {
                    code: ErrorCode::PayloadTooLarge,
                    message: why,
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                },
            })
        }
    }
}

fn kind_of(kind: &str) -> Result<Kind, ApiError> {
    Kind::parse(kind).ok_or_else(|| ApiError::not_found("import kind"))
}

/// Imports a CSV file or an XLSX workbook (its first sheet) of `sites`,
/// `users`, `participants` or `groups` (one row per roster place). The answer reports every bad row by row and column; an apply of
/// a file with problems is refused (422, the same report) unless
/// `accept_good_rows`.
#[utoipa::path(post, path = "/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "participants or groups"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = Report)))]
pub async fn import(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(kind): Path<String>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    let unsupported = || ApiError::BadRequest {
        code: ErrorCode::UnsupportedMediaType,
        message: format!("send the file as text/csv or as {XLSX}"),
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
    };
    if format_of(&headers, b"").is_none() {
        return Err(unsupported());
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
    let format = format_of(&headers, &body).ok_or_else(unsupported)?;
    let table = read(kind, format, body).await?;
    let asked = Asked {
        apply: matches!(query.mode, Mode::Apply),
        accept_good_rows: query.accept_good_rows,
    };
    let outcome = run::run(&state.db, &admin, kind, table, asked)
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

/// The template of a kind: the header row in `language` and one example
/// row, as CSV or as a workbook.
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
        Language::Kmr => "kmr",
    };
    let extension = match query.format {
        TemplateFormat::Csv => "csv",
        TemplateFormat::Xlsx => "xlsx",
    };
    let disposition = format!(
        "attachment; filename=\"sijil-{}-{language}.{extension}\"",
        kind.as_str()
    );
    let (content_type, body) = match query.format {
        TemplateFormat::Csv => (
            "text/csv; charset=utf-8",
            model::template(kind, query.language).into_bytes(),
        ),
        TemplateFormat::Xlsx => (
            XLSX,
            xlsx::template(kind, query.language)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("xlsx: {e}")))?,
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

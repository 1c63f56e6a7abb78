//! The one error type of the HTTP API.
//!
//! Every handler returns `Result<_, ApiError>`. Each variant has an HTTP
//! status and a stable machine code (the PWA branches on codes, never on
//! text); the body is always `{ "error": code, "message": …, "fields": … }`.
//! Internal failures are logged with the request's span and answered with a
//! bare 500: their detail never leaves the server.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Field name → what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("login or password is wrong")]
    InvalidCredentials,
    #[error("too many failed attempts; try again later")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("request refused: it came from another site")]
    CrossOrigin,
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with what is stored (a duplicate code, …).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The request is well-formed JSON but its content is not acceptable.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: FieldErrors,
    },
    /// The request itself is malformed (bad JSON, wrong content type, …).
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        status: StatusCode,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `invalid`, `not_found`.
    pub error: String,
    /// A sentence for people.
    pub message: String,
    /// Per-field reasons, when the error is about fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

impl ApiError {
    /// A 422 about one field.
    pub fn invalid_field(field: &str, reason: impl Into<String>) -> ApiError {
        let reason = reason.into();
        ApiError::Invalid {
            message: format!("{field}: {reason}"),
            fields: BTreeMap::from([(field.to_string(), reason)]),
        }
    }

    /// A 422 about several fields at once.
    pub fn invalid_fields(fields: FieldErrors) -> ApiError {
        let message = fields
            .iter()
            .map(|(f, r)| format!("{f}: {r}"))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Invalid { message, fields }
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::NotFound(what.into())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::CrossOrigin => (StatusCode::FORBIDDEN, "cross_origin"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::BadRequest { code, status, .. } => (*status, code),
            ApiError::Database(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Database(e) => {
                tracing::error!(error = %e, "database error");
                "internal error".to_string()
            }
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let fields = match &self {
            ApiError::Invalid { fields, .. } if !fields.is_empty() => Some(fields.clone()),
            _ => None,
        };
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: code.to_string(),
                message,
                fields,
            }),
        )
            .into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// Turns a violated unique constraint into a 409 at the call site, the way
/// realworld-axum-sqlx does: the database is the referee for uniqueness.
pub trait ResultExt<T> {
    fn on_unique_violation(
        self,
        code: &'static str,
        message: impl FnOnce() -> String,
    ) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> ResultExt<T> for Result<T, E> {
    fn on_unique_violation(
        self,
        code: &'static str,
        message: impl FnOnce() -> String,
    ) -> Result<T, ApiError> {
        self.map_err(|e| match e.into() {
            ApiError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                ApiError::Conflict {
                    code,
                    message: message(),
                }
            }
            other => other,
        })
    }
}

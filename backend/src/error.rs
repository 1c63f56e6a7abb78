//! The one error type of the HTTP API, and the catalogue of its codes.
//!
//! Every handler returns `Result<_, ApiError>`. Each variant has an HTTP
//! status and a stable machine code from [`ErrorCode`] (the app branches on
//! codes, never on text, and has a message for every one: the catalogue is
//! written to `pwa/src/api/error-codes.json`, and a test on each side keeps
//! the two in step). The body is always
//! `{ "error": code, "message": …, "fields": … }`.
//!
//! Internal failures are logged with the request's span and the step that
//! failed ([`ResultExt::context`]), and answered with a bare 500: their
//! detail never leaves the server.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Field name → what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

/// Declares a catalogue of codes once: the enum, its wire names and the
/// list of all (the error codes here, the refusal codes in `refusal`).
macro_rules! code_catalogue {
    ($(#[$enum_doc:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident => $code:literal,)* }) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl $name {
            /// The whole catalogue, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }
    };
}
pub(crate) use code_catalogue;

code_catalogue! {
    /// Every machine code an error answer can carry.
    ErrorCode {
        /// No session, or it ended.
        Unauthenticated => "unauthenticated",
        /// Login name or password wrong (never says which).
        InvalidCredentials => "invalid_credentials",
        /// The login throttle refused the attempt; see `Retry-After`.
        TooManyAttempts => "too_many_attempts",
        /// Asked too often (participant-code prefixes); see `Retry-After`.
        RateLimited => "rate_limited",
        /// Signed in, but this role or scope may not do it.
        Forbidden => "forbidden",
        /// A state-changing request from another origin.
        CrossOrigin => "cross_origin",
        /// No such thing in the caller's scope.
        NotFound => "not_found",
        /// The content is not acceptable; `fields` says why, per field.
        Invalid => "invalid",
        /// The JSON does not have the expected shape (wrong type, unknown field).
        InvalidBody => "invalid_body",
        /// The body is not JSON at all.
        MalformedJson => "malformed_json",
        /// The body is not sent as `application/json`.
        UnsupportedMediaType => "unsupported_media_type",
        /// The body is larger than the route accepts.
        PayloadTooLarge => "payload_too_large",
        /// An import sent as an XLSX workbook that is not one (issue 16).
        NotASpreadsheet => "not_a_spreadsheet",
        /// A known route asked with a method it does not serve.
        MethodNotAllowed => "method_not_allowed",
        /// A sync push with more items than one batch may carry.
        BatchTooLarge => "batch_too_large",
        /// Any other malformed request.
        BadRequest => "bad_request",
        /// A login name that another account has.
        LoginTaken => "login_taken",
        /// A partner name that another partner has.
        PartnerExists => "partner_exists",
        /// A P-code that another area has.
        PcodeTaken => "pcode_taken",
        /// A site code that another site has.
        SiteCodeTaken => "site_code_taken",
        /// An activity-type code that another type has.
        CodeTaken => "code_taken",
        /// The change would leave the programme without an active admin.
        LastAdmin => "last_admin",
        /// The month is locked already.
        AlreadyLocked => "already_locked",
        /// Not a participant code, or its check character does not match (a
        /// misread card): the person should read it again.
        InvalidCode => "invalid_code",
        // Referrals (docs/design.md §9).
        /// A referral without the person's consent: none is made.
        ConsentRequired => "consent_required",
        /// A referral status step that does not follow from its current status.
        ReferralWrongStep => "referral_wrong_step",
        /// Someone else moved the referral since it was read.
        ReferralChanged => "referral_changed",
        /// A directory organisation name that another organisation has.
        OrganisationExists => "organisation_exists",
        /// Something failed on the server; the log says what.
        Internal => "internal",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("login or password is wrong")]
    InvalidCredentials,
    #[error("too many failed attempts; try again later")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("this route does not serve that method")]
    MethodNotAllowed,
    #[error("{0}")]
    Forbidden(String),
    #[error("request refused: it came from another site")]
    CrossOrigin,
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with what is stored (a duplicate code, …).
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// The request is well-formed JSON but its content is not acceptable.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: FieldErrors,
    },
    /// Refused like [`ApiError::Invalid`] (422), under a code of its own
    /// that the app branches on (a referral without consent).
    #[error("{message}")]
    Refused {
        code: ErrorCode,
        message: String,
        fields: FieldErrors,
    },
    /// The request itself is malformed (bad JSON, wrong content type, …).
    #[error("{message}")]
    BadRequest {
        code: ErrorCode,
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
    pub error: ErrorCode,
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

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
            ApiError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
            }
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::CrossOrigin => (StatusCode::FORBIDDEN, ErrorCode::CrossOrigin),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ApiError::Refused { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            ApiError::BadRequest { code, status, .. } => (*status, *code),
            ApiError::Database(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
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
                // `{:#}` prints the chain of contexts: which step failed, then why.
                tracing::error!(error = format!("{e:#}"), "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let fields = match &self {
            ApiError::Invalid { fields, .. } | ApiError::Refused { fields, .. }
                if !fields.is_empty() =>
            {
                Some(fields.clone())
            }
            _ => None,
        };
        let body = ErrorBody {
            error: code,
            message,
            fields,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs }
        | ApiError::RateLimited {
            retry_after_secs, ..
        } = self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// What a fallible step can say about itself at the call site.
pub trait ResultExt<T> {
    /// Names the step for the log if it fails on the server's side (a
    /// database or internal error): a 500's log line then says which step
    /// failed. Refusals meant for the client (404, 409, 422 …) pass through
    /// unchanged, and the client never sees the step.
    fn context(self, step: &'static str) -> Result<T, ApiError>;

    /// Turns a violated unique constraint into a 409 with `code`, the way
    /// realworld-axum-sqlx does: the database is the referee for uniqueness.
    fn on_unique_violation(
        self,
        code: ErrorCode,
        message: impl FnOnce() -> String,
    ) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> ResultExt<T> for Result<T, E> {
    fn context(self, step: &'static str) -> Result<T, ApiError> {
        self.map_err(|e| match e.into() {
            ApiError::Database(e) => ApiError::Internal(anyhow::Error::new(e).context(step)),
            ApiError::Internal(e) => ApiError::Internal(e.context(step)),
            other => other,
        })
    }

    fn on_unique_violation(
        self,
        code: ErrorCode,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the app reads the catalogue; the app's own test checks that it
    /// has a message for every code listed there.
    const APP_CATALOGUE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pwa/src/api/error-codes.json"
    );

    fn catalogue() -> Vec<&'static str> {
        let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort_unstable();
        codes
    }

    #[test]
    fn the_app_has_the_whole_catalogue_of_error_codes() {
        let expected = catalogue();
        if std::env::var("SIJIL_WRITE_ERROR_CODES").is_ok_and(|v| v == "1") {
            let lines: Vec<String> = expected.iter().map(|c| format!("  \"{c}\"")).collect();
            std::fs::write(APP_CATALOGUE, format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();
        }
        let text = std::fs::read_to_string(APP_CATALOGUE).expect("the app's error-code catalogue");
        let in_app: Vec<String> = serde_json::from_str(&text).expect("a JSON list of codes");
        assert_eq!(
            in_app, expected,
            "pwa/src/api/error-codes.json is out of step with ErrorCode: \
             run `SIJIL_WRITE_ERROR_CODES=1 cargo test -p sijil error_codes`, \
             then give the app a message for each new code"
        );
    }

    #[test]
    fn codes_are_distinct_and_serialise_as_their_names() {
        let codes = catalogue();
        let mut distinct = codes.clone();
        distinct.dedup();
        assert_eq!(codes, distinct);
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[tokio::test]
    async fn a_failed_step_is_named_in_the_log_but_not_in_the_answer() {
        let failed: Result<(), sqlx::Error> = Err(sqlx::Error::RowNotFound);
        let err = failed.context("load the site").unwrap_err();
        let ApiError::Internal(inner) = &err else {
            panic!("expected an internal error, got {err:?}")
        };
        assert!(format!("{inner:#}").starts_with("load the site: "));
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "error": "internal", "message": "internal error" })
        );
    }

    #[test]
    fn refusals_pass_through_context_unchanged() {
        let refused: Result<(), ApiError> = Err(ApiError::not_found("site"));
        assert!(matches!(
            refused.context("load the site"),
            Err(ApiError::NotFound(_))
        ));
    }
}

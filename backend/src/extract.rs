//! The extractors every handler takes for what a request carries: a JSON
//! body ([`Json`], or [`Batch`] for a push whose items are judged one by
//! one), a query string ([`Query`]) and path parameters ([`Path`]). Their
//! refusals speak our error format, so a malformed request gets the same
//! `{error, message}` shape as every other refusal; and each applies the
//! one text rule ([`crate::validate::unsafe_char`]) to every string it
//! carries. A leaf of the house: it imports no capability.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};
use crate::validate::{first_unsafe_text, unsafe_char, unsafe_sentence};

/// Like `axum::Json`, with our error body on rejection and the text rule
/// applied to every string of the body.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = json_value(req, state).await?;
        if let Some((at, why)) = first_unsafe_text(&value, "") {
            return Err(ApiError::invalid_field(
                if at.is_empty() { "body" } else { &at },
                unsafe_sentence(why),
            ));
        }
        from_value(value).map(Json)
    }
}

/// A JSON body whose parts the handler judges one by one (a sync push: one
/// bad item is answered on its own and never sinks the batch), so the text
/// rule is left to the handler, item by item.
pub struct Batch<T>(pub T);

impl<T, S> FromRequest<S> for Batch<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        from_value(json_value(req, state).await?).map(Batch)
    }
}

async fn json_value<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<serde_json::Value, ApiError> {
    match axum::Json::<serde_json::Value>::from_request(req, state).await {
        Ok(axum::Json(value)) => Ok(value),
        Err(rejection) => Err(json_rejection(rejection)),
    }
}

fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::BadRequest {
        code: ErrorCode::InvalidBody,
        message: format!("Failed to deserialize the JSON body into the target type: {e}"),
        status: StatusCode::UNPROCESSABLE_ENTITY,
    })
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let (code, status) = match &rejection {
        JsonRejection::JsonDataError(_) => {
            (ErrorCode::InvalidBody, StatusCode::UNPROCESSABLE_ENTITY)
        }
        JsonRejection::JsonSyntaxError(_) => (ErrorCode::MalformedJson, StatusCode::BAD_REQUEST),
        JsonRejection::MissingJsonContentType(_) => (
            ErrorCode::UnsupportedMediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, status),
        _ => (ErrorCode::BadRequest, status),
    };
    ApiError::BadRequest {
        code,
        message: rejection.body_text(),
        status,
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Like `axum::extract::Query`, with our error body on rejection and the
/// text rule applied to every name and value.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| bad_request(e.to_string()))?;
        for (name, value) in &pairs {
            if let Some(why) = unsafe_char(name).or_else(|| unsafe_char(value)) {
                return Err(ApiError::invalid_field(name, why));
            }
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    bad_request(rejection.body_text())
}

/// Like `axum::extract::Path`, with our error body on rejection and the
/// text rule applied to every segment.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| bad_request(e.body_text()))?;
        for (name, value) in raw.iter() {
            if let Some(why) = unsafe_char(value) {
                return Err(ApiError::invalid_field(name, why));
            }
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    bad_request(rejection.body_text())
}

fn bad_request(message: String) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::BadRequest,
        message,
        status: StatusCode::BAD_REQUEST,
    }
}

//! A JSON extractor whose rejections speak our error format, so a malformed
//! body gets the same `{error, message}` shape as every other refusal. A
//! leaf of the house: every handler takes it, and it imports no capability.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// Like `axum::Json`, with our error body on rejection.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
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

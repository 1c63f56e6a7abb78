//! Compressed request bodies. Phones on slow, metered links send their
//! pushes gzip-compressed (`Content-Encoding: gzip`); tower-http inflates
//! them as the handler reads, and the route's body limit then bounds the
//! *inflated* size (axum's extractors count what they read), so a small
//! compressed bomb is refused with 413 like any oversized body.
//!
//! tower-http answers an encoding it cannot read with a bare 415; this
//! refuses it first, in the documented JSON, before anything reads the body.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::decompression::RequestDecompressionLayer;

use crate::error::{ApiError, ErrorCode};

/// Inflates gzip request bodies; nothing else is accepted.
pub fn inflate() -> RequestDecompressionLayer {
    RequestDecompressionLayer::new()
}

/// Refuses a request body in an encoding other than gzip (or identity),
/// and spells the encoding the way tower-http matches it (codings are
/// case-insensitive: RFC 9110 §8.4.1).
pub async fn refuse_unknown_encodings(mut req: Request, next: Next) -> Response {
    let encodings: Vec<String> = req
        .headers()
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("?").split(','))
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
        .collect();
    if encodings.iter().any(|e| e != "gzip") || encodings.len() > 1 {
        return ApiError::BadRequest {
            code: ErrorCode::UnsupportedMediaType,
            message: "request bodies may be sent plain or with Content-Encoding: gzip (once)"
                .into(),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
        .into_response();
    }
    req.headers_mut().remove(header::CONTENT_ENCODING);
    if !encodings.is_empty() {
        req.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    next.run(req).await
}

//! Ends the connection, and says so, after a refusal that may have left
//! the request's body unread (a 401 from the guard, a 413, a 415, an
//! unknown route…). The server would close it anyway rather than read a
//! body nobody wants; `Connection: close` tells the client, so its next
//! request opens a new connection instead of failing on a closed one.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The refusals that can come before a handler reads the body.
const EARLY: [StatusCode; 6] = [
    StatusCode::UNAUTHORIZED,
    StatusCode::FORBIDDEN,
    StatusCode::NOT_FOUND,
    StatusCode::METHOD_NOT_ALLOWED,
    StatusCode::PAYLOAD_TOO_LARGE,
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
];

pub async fn close_after_early_refusal(req: Request, next: Next) -> Response {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|n| n != "0");
    let mut response = next.run(req).await;
    if has_body && EARLY.contains(&response.status()) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

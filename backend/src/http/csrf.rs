//! Cross-site request forgery: a state-changing `/api` request must come
//! from our own origin. SameSite=Lax cookies alone are not enough (they
//! still travel with top-level cross-site navigations and from sibling
//! subdomains), so the browser's own statement of where a request came from
//! is checked: `Sec-Fetch-Site` where sent, else `Origin` against `Host`.
//! Requests carrying neither come from non-browser clients (scripts, tests),
//! which cannot ride a victim's cookies.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub async fn refuse_cross_origin_writes(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(req.headers()) {
        return ApiError::CrossOrigin.into_response();
    }
    next.run(req).await
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://a"),
            ("host", "a")
        ])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
    }

    #[test]
    fn origin_must_match_host() {
        assert!(is_same_origin(&headers(&[
            ("origin", "http://localhost:8080"),
            ("host", "localhost:8080")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "localhost:8080")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "localhost:8080")
        ])));
    }

    #[test]
    fn clients_without_browser_headers_pass() {
        assert!(is_same_origin(&HeaderMap::new()));
    }
}

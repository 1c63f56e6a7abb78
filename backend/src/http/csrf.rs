//! Cross-site request forgery: a state-changing `/api` request must come
//! from our own origin. SameSite=Lax cookies alone are not enough (they
//! still travel with top-level cross-site navigations and from sibling
//! subdomains), so the browser's own statement of where a request came from
//! is checked: `Sec-Fetch-Site` where sent, else `Origin` against the
//! scheme we are served on and `Host` (an `http://` page is not the same
//! origin as the `https://` site, even on the same host). Requests carrying
//! neither come from non-browser clients (scripts, tests), which cannot
//! ride a victim's cookies.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn refuse_cross_origin_writes(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Served over HTTPS (behind a TLS proxy, the connection we see is plain).
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    if !safe && !is_same_origin(req.headers(), scheme) {
        return ApiError::CrossOrigin.into_response();
    }
    next.run(req).await
}

fn is_same_origin(headers: &HeaderMap, scheme: &str) -> bool {
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
            let Some((origin_scheme, origin_host)) = origin.split_once("://") else {
                return false;
            };
            !host.is_empty()
                && origin_scheme.eq_ignore_ascii_case(scheme)
                && origin_host.eq_ignore_ascii_case(host)
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

    /// Same origin for a server on plain HTTP.
    fn same(pairs: &[(&'static str, &'static str)]) -> bool {
        is_same_origin(&headers(pairs), "http")
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(same(&[("sec-fetch-site", "same-origin")]));
        assert!(!same(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://a"),
            ("host", "a")
        ]));
        assert!(!same(&[("sec-fetch-site", "same-site")]));
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same(&[
            ("origin", "http://localhost:8080"),
            ("host", "localhost:8080")
        ]));
        assert!(!same(&[
            ("origin", "http://evil.example"),
            ("host", "localhost:8080")
        ]));
        assert!(!same(&[("origin", "null"), ("host", "localhost:8080")]));
    }

    #[test]
    fn the_origins_scheme_must_be_the_one_we_are_served_on() {
        let plain = [
            ("origin", "http://sijil.example"),
            ("host", "sijil.example"),
        ];
        assert!(!is_same_origin(&headers(&plain), "https"));
        let secure = [
            ("origin", "https://sijil.example"),
            ("host", "sijil.example"),
        ];
        assert!(is_same_origin(&headers(&secure), "https"));
    }

    #[test]
    fn clients_without_browser_headers_pass() {
        assert!(same(&[]));
    }
}

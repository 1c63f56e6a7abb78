//! The PWA, embedded in the binary. Hashed assets are cached for a year;
//! the entry points (`index.html`, the service worker, the manifest) are
//! revalidated on every load so a new release reaches phones. Client-side
//! routes fall back to `index.html`; unknown `/api/…` paths stay JSON 404s.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

/// In debug builds rust-embed reads `pwa/dist` from disk at run time, so a
/// fresh `npm run build` shows up without recompiling; release builds carry
/// the files inside the binary.
#[derive(RustEmbed)]
#[folder = "../pwa/dist/"]
struct Assets;

pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        // An unknown API route answers like the API: JSON, never cached.
        let mut response = ApiError::not_found(format!("route /{path}")).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let path = if path.is_empty() { "index.html" } else { path };
    match asset(path).await {
        Some(file) => respond(path, file, &headers),
        // A path with a file extension that is not there is a missing file;
        // anything else is a client-side route of the app.
        None if looks_like_file(path) && path != "index.html" => {
            (StatusCode::NOT_FOUND, "not found").into_response()
        }
        None => match asset("index.html").await {
            Some(index) => respond("index.html", index, &headers),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the app is not built: run `npm run build` in pwa/",
            )
                .into_response(),
        },
    }
}

/// A file of the app, ready to send.
struct Asset {
    data: std::borrow::Cow<'static, [u8]>,
    etag: String,
    mime: String,
}

/// A file of the app: from `SIJIL_PWA_DIR` when set (a build made
/// elsewhere, e.g. one per developer working side by side), else embedded.
async fn asset(path: &str) -> Option<Asset> {
    let Some(dir) = std::env::var_os("SIJIL_PWA_DIR") else {
        let file = Assets::get(path)?;
        return Some(Asset {
            etag: format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16])),
            mime: file.metadata.mimetype().to_string(),
            data: file.data,
        });
    };
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return None;
    }
    let data = tokio::fs::read(std::path::Path::new(&dir).join(path))
        .await
        .ok()?;
    let etag = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        data.hash(&mut h);
        format!("\"{:016x}\"", h.finish())
    };
    Some(Asset {
        etag,
        mime: mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_string(),
        data: data.into(),
    })
}

fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

fn respond(path: &str, file: Asset, request: &HeaderMap) -> Response {
    let etag = file.etag;
    let cache = cache_control(path);
    if request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response();
    }
    let mime = if path.ends_with(".webmanifest") {
        "application/manifest+json"
    } else {
        file.mime.as_str()
    };
    let mut response = file.data.into_owned().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// Vite puts content-hashed files under `assets/`; everything else may
/// change under the same name.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("icons/") {
        "public, max-age=86400"
    } else {
        "no-cache"
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_immutable_and_entry_points_revalidate() {
        assert_eq!(
            cache_control("assets/index-3f9a.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("index.html"), "no-cache");
        assert_eq!(cache_control("sw.js"), "no-cache");
        assert_eq!(cache_control("manifest.webmanifest"), "no-cache");
    }

    #[test]
    fn client_routes_are_not_files() {
        assert!(!looks_like_file("admin/sites"));
        assert!(looks_like_file("assets/missing.js"));
    }
}

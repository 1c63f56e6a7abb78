//! The router: every capability's API under `/api`, `/healthz`, and the
//! embedded PWA for everything else; plus the middleware every response
//! passes through.

mod connection;
mod csrf;
mod encoding;
mod openapi;
mod security;
mod static_files;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Extension, MatchedPath, Request, State};
use axum::http::Response;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{middleware, Router};
use serde::Serialize;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use utoipa::OpenApi;

use self::openapi::ApiDoc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

/// Bodies larger than this are refused with 413 before any handler runs.
pub const API_BODY_LIMIT: usize = 256 * 1024;

/// Every `/api` route, each registered through utoipa so the OpenAPI
/// document is generated from the same list the router serves.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(crate::auth::router())
        .merge(crate::users::router())
        .merge(crate::sites::router())
        .merge(crate::activity_types::router())
        .merge(crate::audit::router())
        .merge(crate::participants::router())
        .merge(crate::sync::router())
        .merge(crate::records::router())
        .merge(crate::figures::router())
        .merge(crate::push::router())
        // Shared and lost phones (issue 11).
        .merge(crate::devices::router())
        // Importing a programme's existing lists (issue 16).
        .merge(crate::imports::router())
        .merge(crate::directory::router())
        .merge(crate::referrals::router())
        .routes(routes!(openapi_json))
}

/// The OpenAPI document, built once per app.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .nest("/api", api_routes())
        .split_for_parts();
    openapi::complete(&mut doc);
    doc
}

/// Builds the whole HTTP app; the binary and the tests both call this.
pub fn app(state: AppState) -> Router {
    // Installed before the first request, so no count is lost.
    crate::monitoring::recorder();
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api", api_routes())
        .split_for_parts();
    openapi::complete(&mut doc);
    // One memory of sessions and users per instance (see access::cache).
    let auth_cache = crate::access::AuthCache::default();
    let api = api
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(Arc::new(doc)))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::refuse_cross_origin_writes,
        ))
        .layer(Extension(auth_cache.clone()))
        .layer(crate::access::session::layer(
            &state.db,
            &state.config,
            auth_cache,
        ))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(encoding::inflate())
        .layer(middleware::from_fn(encoding::refuse_unknown_encodings))
        // API answers describe one user's data at one moment: never kept by caches.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(middleware::from_fn(connection::close_after_early_refusal));

    api.route("/healthz", get(healthz))
        .merge(crate::monitoring::router())
        .fallback(static_files::serve)
        .layer(middleware::from_fn(crate::monitoring::track_requests))
        .layer(CompressionLayer::new())
        .layer(security::headers(&state.config))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // The matched route, not the path: paths and query strings
                    // can carry codes or names that must not reach the logs.
                    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
                    tracing::info_span!("request", method = %req.method(), route = route.as_deref().unwrap_or("-"), status = tracing::field::Empty, latency_ms = tracing::field::Empty)
                })
                .on_request(())
                .on_response(|res: &Response<_>, latency: std::time::Duration, span: &Span| {
                    span.record("status", res.status().as_u16());
                    span.record("latency_ms", latency.as_millis() as u64);
                    tracing::info!("served");
                }),
        )
        .with_state(state)
}

/// A known route asked with a method it does not serve.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The OpenAPI 3.1 description of every `/api` route.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI document")))]
async fn openapi_json(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json((*doc).clone())
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// Liveness and database status, for load balancers and people.
async fn healthz(State(state): State<AppState>) -> (axum::http::StatusCode, axum::Json<Health>) {
    if state.db.ping().await {
        (
            axum::http::StatusCode::OK,
            axum::Json(Health {
                status: "ok",
                database: "ok",
            }),
        )
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(Health {
                status: "degraded",
                database: "unreachable",
            }),
        )
    }
}

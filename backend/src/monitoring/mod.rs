//! What an operator watches: `GET /metrics` in the Prometheus text format,
//! through the `metrics` facade and its Prometheus exporter. Requests and
//! their latency by route and status, sync items by answer, database pool
//! use, the push queue and figures query time.
//!
//! Never open by default: without `--metrics-token` the route answers 404
//! as if it did not exist; with it, a scrape must carry
//! `Authorization: Bearer <token>` (401 otherwise). It sits outside `/api`,
//! so it is not rate-limited or session-bound, and is never cached.
//!
//! Counters are process-wide (one recorder per process, as the facade
//! has it); each instance of a programme is scraped on its own.

mod handlers;
pub mod model;

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(handlers::scrape))
}

/// The process's recorder, installed on first use.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(model::LATENCY_BUCKETS)
            .expect("latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder already installed (a test harness, an embedder):
        // keep theirs; ours then renders nothing, which a scrape shows.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts every request and times it, by method, matched route and status.
/// The route, never the path: paths can carry codes.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let res = next.run(req).await;
    let route = model::route_label(route.as_deref());
    let status = res.status().as_u16().to_string();
    metrics::counter!(model::HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(model::HTTP_DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

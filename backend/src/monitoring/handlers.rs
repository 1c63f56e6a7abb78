//! The scrape.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::model;
use crate::error::{ApiError, ResultExt};
use crate::push;
use crate::state::AppState;

/// The metrics in the Prometheus text format, for a scraper holding the token.
pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return Err(ApiError::not_found("route"));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !model::authorised(token, given) {
        return Err(ApiError::Unauthenticated);
    }
    let pool = state.db.pool();
    let idle = pool.num_idle() as f64;
    metrics::gauge!(model::DB_CONNECTIONS, "state" => "idle").set(idle);
    metrics::gauge!(model::DB_CONNECTIONS, "state" => "in_use").set(f64::from(pool.size()) - idle);
    // The push queue as it stands (every instance sees the same table).
    let mut queue = [("pending", 0.0), ("sent", 0.0), ("failed", 0.0)];
    for count in push::store::queue_counts(&state.db)
        .await
        .context("count the push queue")?
    {
        if let Some(slot) = queue.iter_mut().find(|(status, _)| *status == count.status) {
            slot.1 = count.n as f64;
        }
    }
    for (status, n) in queue {
        metrics::gauge!(model::PUSH_QUEUE, "status" => status).set(n);
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        super::recorder().render(),
    )
        .into_response())
}

//! Metric names and the rules of a scrape, as plain functions.

/// Requests answered, by `method`, `route` and `status`.
pub const HTTP_REQUESTS: &str = "sijil_http_requests_total";
/// Request latency in seconds, by `method` and `route`.
pub const HTTP_DURATION: &str = "sijil_http_request_duration_seconds";
/// Pushed items answered, by `answer` (stored, duplicate, conflict, invalid).
pub const SYNC_ITEMS: &str = "sijil_sync_items_total";
/// Database connections, by `state` (idle, in_use).
pub const DB_CONNECTIONS: &str = "sijil_db_pool_connections";
/// Web-push notices in the queue, by `status` (pending, sent, failed).
pub const PUSH_QUEUE: &str = "sijil_push_queue_notices";
/// Time to compute figures, by `request` (figures, sites, export).
pub const FIGURES_DURATION: &str = "sijil_figures_query_seconds";

/// Histogram buckets (seconds): a phone's push at the top, a cached read
/// at the bottom.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Whether the `Authorization` header carries the configured token. The
/// comparison takes the same time wherever the first difference is.
pub fn authorised(token: &str, header: Option<&str>) -> bool {
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let (a, b) = (token.as_bytes(), given.trim().as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The route label: the matched route, or one label for everything else
/// (the app's files and unknown paths), so a scanner cannot grow the
/// number of series.
pub fn route_label(matched: Option<&str>) -> String {
    matched.unwrap_or("other").to_owned()
}

/// The shortest token accepted: a scrape token guards counts, not data, but
/// it should not be guessable.
pub const MIN_TOKEN_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_authorised() {
        let token = "0123456789abcdef";
        assert!(authorised(token, Some("Bearer 0123456789abcdef")));
        assert!(!authorised(token, Some("Bearer 0123456789abcdeF")));
        assert!(!authorised(token, Some("Bearer 0123456789abcde")));
        assert!(!authorised(token, Some("Basic 0123456789abcdef")));
        assert!(!authorised(token, Some("0123456789abcdef")));
        assert!(!authorised(token, None));
    }

    #[test]
    fn unmatched_paths_share_one_label() {
        assert_eq!(route_label(Some("/api/sync/push")), "/api/sync/push");
        assert_eq!(route_label(None), "other");
    }
}

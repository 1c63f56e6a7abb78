//! `/metrics`: never open by default, 401 without the token, and the
//! counters move with what phones do.
//!
//! The recorder is process-wide and other tests push in the same process,
//! so the checks are "moved at least by what this test did".

use std::sync::Arc;

use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{awareness_event, item, new_id, Phone};
use sijil_e2e::{body, Api, TestApp};

const TOKEN: &str = "scrape-token-0123456789";

/// The value of the series `name{labels}` in a scrape (0 when absent).
fn value(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(api: &Api) -> String {
    let res = api
        .request(Method::GET, "/metrics")
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_need_the_token_and_count_what_phones_push() {
    for database in TestDatabase::all().await {
        let config = Config {
            metrics_token: Some(TOKEN.into()),
            ..Config::for_tests()
        };
        let app = TestApp::spawn(Arc::new(database), config).await;
        let anon = app.anonymous();
        for auth in [None, Some("Bearer wrong-token-0123456789"), Some(TOKEN)] {
            let mut req = anon.request(Method::GET, "/metrics");
            if let Some(auth) = auth {
                req = req.header(AUTHORIZATION, auth);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
            assert_eq!(body(res).await["error"], "unauthenticated");
        }

        let admin = app.admin().await;
        let before = scrape(&anon).await;
        let site = app.site(&admin, "MOS-21").await;
        let gbv = sijil_e2e::field::activity_type(&admin, "AW-GBV").await;
        let phone = Phone::new(app.user(&admin, "lina", "mobiliser", &[site]).await).await;
        let event = item("record", &new_id(), 0, awareness_event(site, gbv, 12, 3));
        let mut bad = item("record", &new_id(), 0, awareness_event(site, gbv, 1, 1));
        bad["data"]["site_id"] = json!(site + 1000);
        let answers = phone.push(&[event.clone(), bad]).await;
        assert_eq!(answers[0]["status"], "stored");
        assert_eq!(answers[1]["status"], "invalid");
        assert_eq!(phone.push(&[event]).await[0]["status"], "duplicate");

        let after = scrape(&anon).await;
        let moved = |series: &str| value(&after, series) - value(&before, series);
        assert!(
            moved("sijil_sync_items_total{answer=\"stored\"}") >= 1.0,
            "{after}"
        );
        assert!(
            moved("sijil_sync_items_total{answer=\"duplicate\"}") >= 1.0,
            "{after}"
        );
        assert!(
            moved("sijil_sync_items_total{answer=\"invalid\"}") >= 1.0,
            "{after}"
        );
        let pushes =
            "sijil_http_requests_total{method=\"POST\",route=\"/api/sync/push\",status=\"200\"}";
        assert!(moved(pushes) >= 2.0, "{after}");
        assert!(
            after.contains("sijil_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/sync/push\""),
            "latency histogram by route: {after}"
        );
        assert!(
            after.contains("sijil_db_pool_connections{state=\"idle\"}"),
            "{after}"
        );
        for status in ["pending", "sent", "failed"] {
            let series = format!("sijil_push_queue_notices{{status=\"{status}\"}}");
            assert!(after.contains(&series), "{series}: {after}");
        }
        // Paths never become labels: a scanner cannot grow the series.
        anon.get("/no/such/page/ABC-123").await;
        assert!(!scrape(&anon).await.contains("ABC-123"));
        app.stop().await;
    }
}

#[tokio::test]
async fn without_a_token_there_is_no_metrics_route() {
    for database in TestDatabase::all().await {
        let app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
        let res = app
            .anonymous()
            .request(Method::GET, "/metrics")
            .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(body(res).await["error"], "not_found");
        app.stop().await;
    }
}

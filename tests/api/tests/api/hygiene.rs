use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sijil_e2e::{body, each_database, TestApp};

async fn write_counts(app: &TestApp) -> [i64; 5] {
    [
        app.count("partners").await,
        app.count("sites").await,
        app.count("users").await,
        app.count("areas").await,
        app.count("audit_log").await,
    ]
}

#[tokio::test]
async fn a_cross_origin_post_is_refused_and_writes_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let before = write_counts(&app).await;
        let by_origin = admin
            .request(Method::POST, "/api/partners")
            .header("origin", "http://evil.example")
            .json(&json!({ "name": "Evil" }))
            .send()
            .await
            .unwrap();
        assert_eq!(by_origin.status(), StatusCode::FORBIDDEN);
        assert_eq!(body(by_origin).await["error"], "cross_origin");
        let by_fetch_metadata = admin
            .request(Method::POST, "/api/partners")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({ "name": "Evil" }))
            .send()
            .await
            .unwrap();
        assert_eq!(by_fetch_metadata.status(), StatusCode::FORBIDDEN);
        let logout = admin
            .request(Method::POST, "/api/auth/logout")
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(
            logout.status(),
            StatusCode::FORBIDDEN,
            "even logout is not forced from elsewhere"
        );
        assert_eq!(write_counts(&app).await, before);
        assert_eq!(admin.get("/api/me").await.status(), StatusCode::OK);

        // The same request from our own origin goes through.
        let own = format!("http://{}", app.addr);
        let ok = admin
            .request(Method::POST, "/api/partners")
            .header("origin", own)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({ "name": "Fine" }))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::CREATED);
    })
    .await;
}

#[tokio::test]
async fn bad_bodies_get_a_4xx_with_a_reason_and_write_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let before = write_counts(&app).await;
        let send_raw = |path: &'static str, content_type: &'static str, raw: String| {
            let admin = admin.clone();
            async move { admin.request(Method::POST, path).header(CONTENT_TYPE, content_type).body(raw).send().await.unwrap() }
        };
        let cases: Vec<(&str, reqwest::Response, StatusCode, &str)> = vec![
            ("malformed JSON", send_raw("/api/partners", "application/json", "{\"name\": ".into()).await, StatusCode::BAD_REQUEST, "malformed_json"),
            ("unknown field", admin.post("/api/partners", json!({ "name": "Org", "owner": "me" })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("wrong type", admin.post("/api/sites", json!({ "code": "A", "name": "B", "kind": "camp", "partner_id": "one", "area_id": 9 })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("unknown enum value", admin.post("/api/sites", json!({ "code": "A", "name": "B", "kind": "palace", "partner_id": 1, "area_id": 9 })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("over-long string", admin.post("/api/partners", json!({ "name": "x".repeat(500) })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("not JSON at all", send_raw("/api/partners", "text/plain", "name=Org".into()).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ("huge body", send_raw("/api/partners", "application/json", format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024))).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ("unknown partner", admin.post("/api/sites", json!({ "code": "A", "name": "B", "kind": "camp", "partner_id": 999, "area_id": 9 })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("unknown site for a user", admin.post("/api/users", json!({ "login": "zed", "display_name": "Z", "role": "trainer", "password": "long enough pw", "site_ids": [424242] })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("short password", admin.post("/api/users", json!({ "login": "zed", "display_name": "Z", "role": "trainer", "password": "short" })).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ];
        for (what, res, status, code) in cases {
            assert_eq!(res.status(), status, "{what}");
            let b = body(res).await;
            assert_eq!(b["error"], code, "{what}: {b}");
            assert!(!b["message"].as_str().unwrap_or("").is_empty(), "{what} says why");
        }
        let over_long = body(admin.post("/api/partners", json!({ "name": "x".repeat(500) })).await).await;
        assert_eq!(over_long["fields"]["name"], "must be at most 120 characters");
        assert_eq!(write_counts(&app).await, before);
    })
    .await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    each_database(|app| async move {
        let anon = app.anonymous();
        for path in [
            "/",
            "/healthz",
            "/api/me",
            "/api/nope",
            "/some/client/route",
        ] {
            let res = anon.get(path).await;
            let h = res.headers();
            let csp = h
                .get("content-security-policy")
                .unwrap_or_else(|| panic!("CSP on {path}"))
                .to_str()
                .unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert!(csp.contains("frame-ancestors 'none'"), "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s_and_healthz_reports_the_database() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let res = anon.get("/api/does-not-exist").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(body(res).await["error"], "not_found");
        let health = anon.get("/healthz").await;
        assert_eq!(health.status(), StatusCode::OK);
        assert_eq!(
            body(health).await,
            json!({ "status": "ok", "database": "ok" })
        );
    })
    .await;
}

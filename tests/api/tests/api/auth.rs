use reqwest::StatusCode;
use serde_json::json;
use sijil::config::Config;
use sijil_e2e::{body, each_database, session_cookie, TestApp};

#[tokio::test]
async fn login_me_and_logout() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let me = body(admin.get("/api/me").await).await;
        assert_eq!(me["login"], "admin");
        assert_eq!(me["role"], "admin");
        assert_eq!(me["all_sites"], true);

        let out = admin.post("/api/auth/logout", json!({})).await;
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        // The old cookie is worthless: the server forgot the session.
        let after = admin.get("/api/me").await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(body(after).await["error"], "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn session_cookie_is_http_only_same_site_and_rotated_at_login() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let creds = json!({ "login": "admin", "password": app.admin_password });
        let first = anon.post("/api/auth/login", creds.clone()).await;
        let raw = first
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(raw.contains("HttpOnly"), "{raw}");
        assert!(raw.contains("SameSite=Lax"), "{raw}");
        assert!(
            !raw.contains("Secure"),
            "plain-HTTP test server must not mark the cookie Secure: {raw}"
        );
        let first = session_cookie(&first).unwrap();
        // Logging in again from a signed-in client gives a new session id.
        let mut signed_in = anon.clone();
        signed_in.cookie = Some(first.clone());
        let second = signed_in.post("/api/auth/login", creds).await;
        let second = session_cookie(&second).unwrap();
        assert_ne!(first, second);
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_login_get_the_same_answer() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let wrong = anon
            .post(
                "/api/auth/login",
                json!({ "login": "admin", "password": "not the password" }),
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let wrong = body(wrong).await;
        let unknown = anon
            .post(
                "/api/auth/login",
                json!({ "login": "nobody", "password": "not the password" }),
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(wrong, body(unknown).await);
        assert_eq!(wrong["error"], "invalid_credentials");
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_for_one_login_reach_429_even_with_the_right_password() {
    each_database(|app| async move {
        let anon = app.anonymous();
        for _ in 0..5 {
            let res = anon
                .post(
                    "/api/auth/login",
                    json!({ "login": "admin", "password": "guess guess" }),
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let res = anon
            .post(
                "/api/auth/login",
                json!({ "login": "admin", "password": app.admin_password }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
        assert_eq!(body(res).await["error"], "too_many_attempts");
    })
    .await;
}

#[tokio::test]
async fn many_failures_from_one_address_reach_429_across_logins() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let mut statuses = Vec::new();
        for i in 0..31 {
            let res = anon
                .post(
                    "/api/auth/login",
                    json!({ "login": format!("user{i}"), "password": "guess guess" }),
                )
                .await;
            statuses.push(res.status());
        }
        assert!(statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED));
        assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    })
    .await;
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let database = app.stop().await;
        let again = TestApp::spawn(database, Config::for_tests()).await;
        let me = admin.to(&again).get("/api/me").await;
        assert_eq!(me.status(), StatusCode::OK);
        assert_eq!(body(me).await["login"], "admin");
    })
    .await;
}

#[tokio::test]
async fn two_instances_on_one_database_share_sessions() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let other = TestApp::spawn(app.database.clone(), Config::for_tests()).await;
        assert_eq!(
            admin.to(&other).get("/api/me").await.status(),
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn logins_and_failures_are_in_the_audit_log() {
    each_database(|app| async move {
        let anon = app.anonymous();
        anon.post(
            "/api/auth/login",
            json!({ "login": "admin", "password": "nope nope" }),
        )
        .await;
        let admin = app.admin().await;
        let page = body(admin.get("/api/audit?limit=10").await).await;
        let actions: Vec<&str> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            &actions[..2],
            ["auth.login", "auth.login_failed"],
            "newest first: {actions:?}"
        );
        let failed = body(admin.get("/api/audit?action=auth.login_failed").await).await;
        assert_eq!(failed["entries"][0]["login"], "admin");
        assert_eq!(failed["entries"][0]["client_addr"], "127.0.0.1");
        assert!(
            failed["entries"][0]["detail"].is_null(),
            "no password or detail stored for failed logins"
        );
    })
    .await;
}

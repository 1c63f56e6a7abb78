//! Each instance remembers sessions and users for half a second (so an
//! authenticated read costs no database round trip), yet a revoked session
//! is refused at once on the instance that revoked it and within a second
//! on every other instance of the same database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sijil::config::Config;
use sijil_e2e::{body, each_database, Api, TestApp};

/// The bound the issue sets: a revocation takes effect everywhere within it.
const WITHIN: Duration = Duration::from_secs(1);

/// Asks `/api/me` until it is refused; returns how long that took.
async fn refused_after(api: &Api, since: Instant) -> Duration {
    loop {
        let status = api.get("/api/me").await.status();
        if status == StatusCode::UNAUTHORIZED {
            return since.elapsed();
        }
        assert_eq!(status, StatusCode::OK);
        assert!(since.elapsed() < Duration::from_secs(5), "never refused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A trainer signed in on `here`, the same session pointed at `there`
/// too, both answered once (so both instances remember it); and their id.
async fn signed_in_on_both(here: &TestApp, there: &TestApp, login: &str) -> (Api, Api, i64) {
    let admin = here.admin().await;
    let site = here.site(&admin, &format!("S-{login}")).await;
    let on_here = here.user(&admin, login, "trainer", &[site]).await;
    let on_there = on_here.to(there);
    let me = on_here.get("/api/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    let id = body(me).await["id"].as_i64().unwrap();
    assert_eq!(on_there.get("/api/me").await.status(), StatusCode::OK);
    (on_here, on_there, id)
}

#[tokio::test]
async fn a_password_reset_ends_the_session_on_every_instance_within_a_second() {
    each_database(|a| async move {
        let b = TestApp::spawn(Arc::clone(&a.database), Config::for_tests()).await;
        let (on_a, on_b, id) = signed_in_on_both(&a, &b, "noor").await;
        let admin = a.admin().await;
        let res = admin
            .post(
                &format!("/api/users/{id}/password"),
                json!({ "password": "another long passphrase" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let reset = Instant::now();
        assert_eq!(
            on_a.get("/api/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "refused at once where it was reset"
        );
        let took = refused_after(&on_b, reset).await;
        eprintln!("the other instance refused the session after {took:?}");
        assert!(took <= WITHIN, "the other instance took {took:?}");
        b.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_deactivation_ends_the_session_on_every_instance_within_a_second() {
    each_database(|a| async move {
        let b = TestApp::spawn(Arc::clone(&a.database), Config::for_tests()).await;
        let (on_a, on_b, id) = signed_in_on_both(&a, &b, "sara").await;
        // Deactivated on B this time: A is the instance told nothing.
        let admin = a.admin().await.to(&b);
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "active": false }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let deactivated = Instant::now();
        assert_eq!(on_b.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        let took = refused_after(&on_a, deactivated).await;
        eprintln!("the other instance refused the session after {took:?}");
        assert!(took <= WITHIN, "the other instance took {took:?}");
        b.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_logout_ends_the_session_on_every_instance_within_a_second() {
    each_database(|a| async move {
        let b = TestApp::spawn(Arc::clone(&a.database), Config::for_tests()).await;
        let (on_a, on_b, _) = signed_in_on_both(&a, &b, "huda").await;
        let res = on_a.post("/api/auth/logout", json!({})).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let out = Instant::now();
        assert_eq!(on_a.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        let took = refused_after(&on_b, out).await;
        eprintln!("the other instance refused the session after {took:?}");
        assert!(took <= WITHIN, "the other instance took {took:?}");
        b.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_new_role_or_language_shows_at_once_where_it_was_made() {
    each_database(|app| async move {
        let (on_app, _, id) = signed_in_on_both(&app, &app, "rana").await;
        let admin = app.admin().await;
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "role": "mobiliser" }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body(on_app.get("/api/me").await).await["role"], "mobiliser");
        let res = on_app.patch("/api/me", json!({ "language": "ar" })).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body(on_app.get("/api/me").await).await["language"], "ar");
    })
    .await;
}

//! Hardening: what PostgreSQL refuses never sinks a batch, races are
//! closed, sessions and proxies are done right, and every answer speaks the
//! documented JSON. Each test below answered wrongly before its fix.

use std::collections::HashSet;
use std::sync::Arc;

use reqwest::header::{CONNECTION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{activity_type, group, item, new_id, session, today, Phone};
use sijil_e2e::{body, each_database, Api, TestApp};

const NUL: &str = "\u{0}";

/// Where a NUL can sit in what a phone pushes, one bad item each.
fn items_with_a_nul(
    site: i64,
    pss: i64,
    good_person: &str,
    good_group: &str,
) -> Vec<(&'static str, Value)> {
    let with = |f: &dyn Fn(&mut Value)| {
        let mut it = item(
            "record",
            &new_id(),
            0,
            session(site, pss, good_group, &[good_person.to_string()]),
        );
        f(&mut it);
        it
    };
    vec![
        (
            "device_time",
            with(&|it| it["device_time"] = json!(format!("2026-11-23{NUL}"))),
        ),
        (
            "group_id",
            with(&|it| it["data"]["group_id"] = json!(format!("{good_group}{NUL}"))),
        ),
        (
            "attendance",
            with(&|it| it["data"]["attendance"] = json!([format!("{good_person}{NUL}")])),
        ),
        (
            "topic",
            with(&|it| it["data"]["topic"] = json!(format!("Stress{NUL}"))),
        ),
        (
            "roster",
            item(
                "group",
                &new_id(),
                0,
                group(site, pss, &[format!("{good_person}{NUL}")]),
            ),
        ),
    ]
}

#[tokio::test]
async fn a_nul_in_one_item_is_refused_and_the_good_item_beside_it_is_stored() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (person, registered) = phone.participant(site, "female", 1990);
        let group_id = new_id();
        let setup = phone
            .push(&[
                registered,
                item(
                    "group",
                    &group_id,
                    0,
                    group(site, pss, std::slice::from_ref(&person)),
                ),
            ])
            .await;
        assert!(setup.iter().all(|r| r["status"] == "stored"), "{setup:?}");

        for (field, bad) in items_with_a_nul(site, pss, &person, &group_id) {
            let good_id = new_id();
            let good = item(
                "record",
                &good_id,
                0,
                session(site, pss, &group_id, std::slice::from_ref(&person)),
            );
            let answers = phone.push(&[bad, good]).await;
            assert_eq!(answers[0]["status"], "invalid", "{field}: {answers:?}");
            assert!(
                answers[0]["errors"].to_string().contains("nul_character"),
                "{field}: {answers:?}"
            );
            assert_eq!(answers[1]["status"], "stored", "{field}: {answers:?}");
        }
        assert_eq!(app.count("activity_records").await, 5);
    })
    .await;
}

#[tokio::test]
async fn nul_and_bidi_controls_in_queries_paths_and_bodies_are_422s_that_change_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let coordinator = app.user(&admin, "amal", "coordinator", &[site]).await;
        let before = app.count("partners").await;
        let cases = [
            ("search", coordinator.get("/api/participants?q=a%00b").await),
            ("audit filter", admin.get("/api/audit?action=%00").await),
            ("record id", coordinator.post("/api/records/%00/review", json!({ "status": "approved" })).await),
            (
                "unlock month",
                admin
                    .post(&format!("/api/sites/{site}/unlock"), json!({ "month": NUL, "reason": "typo" }))
                    .await,
            ),
            ("bidi name", admin.post("/api/partners", json!({ "name": "\u{202E}cod.exe" })).await),
            ("bidi code", admin.post("/api/activity-types", json!({
                "kind": "awareness_event", "code": "GBV\u{2066}X", "label_en": "a", "label_ar": "b", "label_ckb": "c"
            })).await),
        ];
        for (what, res) in cases {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            let b = body(res).await;
            assert_eq!(b["error"], "invalid", "{what}: {b}");
        }
        assert_eq!(app.count("partners").await, before);
        // Arabic names with the marks Arabic writing uses still pass.
        let res = admin.post("/api/partners", json!({ "name": "مركز\u{200F} النساء" })).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    })
    .await;
}

#[tokio::test]
async fn fifty_phones_asking_for_prefixes_at_once_each_get_their_own() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DUH-01").await;
        let mut trainers = vec![];
        for i in 0..5 {
            trainers.push(
                app.user(&admin, &format!("trainer{i}"), "trainer", &[site])
                    .await,
            );
        }
        // Ten phones each, all asking at the same moment (a training day).
        let asks = trainers.iter().flat_map(|t| {
            (0..10).map(|_| {
                (
                    t.clone(),
                    "/api/participants/prefixes".to_string(),
                    json!({}),
                )
            })
        });
        let answers = all_at_once(asks.collect()).await;
        let mut prefixes = HashSet::new();
        for res in answers {
            assert_eq!(res.status(), StatusCode::CREATED);
            prefixes.insert(body(res).await["prefix"].as_str().unwrap().to_string());
        }
        assert_eq!(prefixes.len(), 50, "every prefix is distinct");
    })
    .await;
}

#[tokio::test]
async fn one_account_cannot_drain_the_programmes_prefixes() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DUH-01").await;
        let trainer = app.user(&admin, "noor", "trainer", &[site]).await;
        for _ in 0..20 {
            assert_eq!(
                trainer
                    .post("/api/participants/prefixes", json!({}))
                    .await
                    .status(),
                StatusCode::CREATED
            );
        }
        let res = trainer.post("/api/participants/prefixes", json!({})).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key("retry-after"));
        assert_eq!(body(res).await["error"], "rate_limited");
        assert_eq!(app.count("device_prefixes").await, 20);
    })
    .await;
}

#[tokio::test]
async fn parallel_wrong_logins_let_at_most_the_limit_through() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let from_one_address = (0..100).map(|i| {
            let login = json!({ "login": format!("user{i}"), "password": "guess guess" });
            (anon.clone(), "/api/auth/login".to_string(), login)
        });
        let statuses: Vec<StatusCode> = all_at_once(from_one_address.collect())
            .await
            .iter()
            .map(|r| r.status())
            .collect();
        let tried = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        assert!(
            tried <= 30,
            "{tried} attempts were tried from one address (limit 30)"
        );
        assert!(statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)));
    })
    .await;
    each_database(|app| async move {
        let anon = app.anonymous();
        let login = json!({ "login": "admin", "password": "guess guess" });
        let one_account =
            (0..40).map(|_| (anon.clone(), "/api/auth/login".to_string(), login.clone()));
        let answers = all_at_once(one_account.collect()).await;
        let tried = answers
            .iter()
            .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
            .count();
        assert!(
            tried <= 5,
            "{tried} attempts were tried on one account (limit 5)"
        );
    })
    .await;
}

/// A server behind `proxies` proxies that append to X-Forwarded-For.
async fn behind_proxies(database: TestDatabase, proxies: usize) -> TestApp {
    let config = Config {
        trusted_proxies: proxies,
        ..Config::for_tests()
    };
    TestApp::spawn(Arc::new(database), config).await
}

#[tokio::test]
async fn the_client_address_is_the_one_the_trusted_proxy_saw() {
    for database in TestDatabase::all().await {
        let app = behind_proxies(database, 1).await;
        let anon = app.anonymous();
        let mut statuses = vec![];
        for i in 0..31 {
            // The client forges a new address each time; the proxy appends the real one.
            let res = anon
                .request(Method::POST, "/api/auth/login")
                .header("x-forwarded-for", format!("10.0.0.{i}, 203.0.113.7"))
                .json(&json!({ "login": format!("user{i}"), "password": "guess guess" }))
                .send()
                .await
                .unwrap();
            statuses.push(res.status());
        }
        assert_eq!(
            statuses[30],
            StatusCode::TOO_MANY_REQUESTS,
            "forged addresses do not dodge the throttle"
        );
        let admin = app.admin().await;
        let audit = body(
            admin
                .get("/api/audit?action=auth.login_failed&limit=1")
                .await,
        )
        .await;
        assert_eq!(audit["entries"][0]["client_addr"], "203.0.113.7");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_password_reset_ends_the_users_other_sessions() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let noor = app.user(&admin, "noor", "trainer", &[site]).await;
        assert_eq!(noor.get("/api/me").await.status(), StatusCode::OK);
        let id = body(noor.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let reset = admin
            .post(
                &format!("/api/users/{id}/password"),
                json!({ "password": "a new long password" }),
            )
            .await;
        assert_eq!(reset.status(), StatusCode::NO_CONTENT);
        assert_eq!(noor.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        // The new password works; the admin's own session goes on.
        app.login("noor", "a new long password").await;
        assert_eq!(admin.get("/api/me").await.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_session_in_use_outlives_a_short_idle_timeout() {
    let config = Config {
        session_idle_secs: 4,
        ..Config::for_tests()
    };
    let app = TestApp::spawn(Arc::new(TestDatabase::sqlite()), config).await;
    let admin = app.admin().await;
    // Used every 1.5 s for 9 s: more than twice the idle time.
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(admin.get("/api/me").await.status(), StatusCode::OK);
    }
    // Left alone longer than the idle time, it ends.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(
        admin.get("/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

#[tokio::test]
async fn over_https_the_cookie_takes_the_host_prefix_and_the_origins_scheme_counts() {
    let config = Config {
        secure_cookies: true,
        ..Config::for_tests()
    };
    let app = TestApp::spawn(Arc::new(TestDatabase::sqlite()), config).await;
    let res = app
        .anonymous()
        .post(
            "/api/auth/login",
            json!({ "login": "admin", "password": app.admin_password }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set_cookie.starts_with("__Host-sijil_session="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("Secure")
            && set_cookie.contains("Path=/")
            && !set_cookie.contains("Domain")
    );
    let host = app.addr.to_string();
    let from_plain_http = app
        .anonymous()
        .request(Method::POST, "/api/auth/logout")
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(from_plain_http.status(), StatusCode::FORBIDDEN);
    let same_site = app
        .anonymous()
        .request(Method::POST, "/api/auth/logout")
        .header("origin", format!("https://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn every_refusal_is_the_documented_json_and_api_answers_are_not_cached() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let cases = [
            (
                "bad query",
                admin.get("/api/sync/pull?limit=many").await,
                StatusCode::BAD_REQUEST,
            ),
            (
                "unknown query field",
                admin.get("/api/audit?colour=red").await,
                StatusCode::BAD_REQUEST,
            ),
            (
                "bad path",
                admin.get("/api/users/twelve").await,
                StatusCode::BAD_REQUEST,
            ),
            (
                "wrong method",
                admin
                    .request(Method::DELETE, "/api/me")
                    .send()
                    .await
                    .unwrap(),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
        ];
        for (what, res, status) in cases {
            assert_eq!(res.status(), status, "{what}");
            assert!(
                res.headers()[CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{what}"
            );
            let b = body(res).await;
            assert!(
                b["error"].is_string() && b["message"].is_string(),
                "{what}: {b}"
            );
        }
        for path in ["/api/me", "/api/sites", "/api/nope"] {
            let res = admin.get(path).await;
            assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        }
        for path in ["/", "/api/me", "/healthz"] {
            let res = admin.get(path).await;
            assert!(
                res.headers()["permissions-policy"]
                    .to_str()
                    .unwrap()
                    .contains("geolocation=()"),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_early_refusal_of_a_body_says_the_connection_closes_and_the_next_request_works() {
    each_database(|app| async move {
        let anon = app.anonymous();
        let big = json!({ "items": [{ "notes": "x".repeat(100_000) }] });
        let res = anon.post("/api/sync/push", big).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()[CONNECTION], "close");
        // The same client goes on (a new connection, as it was told).
        assert_eq!(anon.get("/healthz").await.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_site_scoped_coordinator_sees_only_the_partners_of_their_sites() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let mine = app.site(&admin, "MOS-01").await;
        app.site(&admin, "DUH-01").await;
        let coordinator = app.user(&admin, "amal", "coordinator", &[mine]).await;
        let partners = body(coordinator.get("/api/partners").await).await;
        let names: Vec<&str> = partners
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Partner of MOS-01"]);
        assert_eq!(
            body(admin.get("/api/partners").await)
                .await
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn target_periods_are_bounded() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let target = |start: &str, end: &str| {
            json!({ "indicator": "attendances", "period_start": start, "period_end": end, "value": 100 })
        };
        let endless = admin.post("/api/targets", target("0001-01-01", "9999-12-31")).await;
        assert_eq!(endless.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let four_years = admin.post("/api/targets", target("2024-01-01", "2027-12-31")).await;
        assert_eq!(four_years.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let this_year = today()[..4].to_string();
        let year = admin
            .post("/api/targets", target(&format!("{this_year}-01-01"), &format!("{this_year}-12-31")))
            .await;
        assert_eq!(year.status(), StatusCode::CREATED);
        assert_eq!(app.count("targets").await, 1);
    })
    .await;
}

/// Posts every `(client, path, body)` at once and waits for all the answers, in order.
async fn all_at_once(requests: Vec<(Api, String, Value)>) -> Vec<reqwest::Response> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(api, path, body)| tokio::spawn(async move { api.post(&path, body).await }))
        .collect();
    let mut answers = vec![];
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    answers
}

/// The participant and group ids a phone holds after applying `changes`
/// in order, as the app does (a deletion drops, anything else keeps).
fn held(changes: &[Value], entity: &str) -> HashSet<String> {
    let mut held = HashSet::new();
    for c in changes.iter().filter(|c| c["entity"] == entity) {
        let id = c["id"].as_str().unwrap().to_string();
        if c["deleted"] == true {
            held.remove(&id);
        } else {
            held.insert(id);
        }
    }
    held
}

#[tokio::test]
async fn what_moves_to_another_site_leaves_the_phones_of_the_site_it_left() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let (a, b) = (
            app.site(&admin, "MOS-01").await,
            app.site(&admin, "MOS-02").await,
        );
        let pss = activity_type(&admin, "PSS").await;
        let mut at_a = Phone::new(app.user(&admin, "trainer-a", "trainer", &[a]).await).await;
        let at_b = Phone::new(app.user(&admin, "trainer-b", "trainer", &[b]).await).await;
        let both = app.user(&admin, "coord", "coordinator", &[a, b]).await;

        let (amira, registered) = at_a.participant(a, "female", 1990);
        let group_id = new_id();
        let roster = group(a, pss, std::slice::from_ref(&amira));
        at_a.push(&[
            registered.clone(),
            item("group", &group_id, 0, roster.clone()),
        ])
        .await;
        let (before_a, cursor_a) = sijil_e2e::field::pull_all(&at_a.api, None, 100).await;
        let (_, cursor_both) = sijil_e2e::field::pull_all(&both, None, 100).await;
        assert!(held(&before_a, "participant").contains(&amira));

        // The coordinator moves her, and the group, to site B.
        let mut moved = registered["data"].clone();
        moved["site_id"] = json!(b);
        let coordinator_phone = Phone::new(both.clone()).await;
        let mut moved_group = roster.clone();
        moved_group["site_id"] = json!(b);
        let answers = coordinator_phone
            .push(&[
                item("participant", &amira, 1, moved),
                item("group", &group_id, 1, moved_group),
            ])
            .await;
        assert!(
            answers.iter().all(|r| r["status"] == "stored"),
            "{answers:?}"
        );

        let (after_a, _) = sijil_e2e::field::pull_all(&at_a.api, Some(&cursor_a), 100).await;
        let mut on_a = before_a.clone();
        on_a.extend(after_a);
        assert!(
            !held(&on_a, "participant").contains(&amira),
            "site A's phone still holds her"
        );
        assert!(
            !held(&on_a, "group").contains(&group_id),
            "site A's phone still holds the group"
        );
        let (on_b, _) = sijil_e2e::field::pull_all(&at_b.api, None, 100).await;
        assert!(held(&on_b, "participant").contains(&amira));
        assert!(held(&on_b, "group").contains(&group_id));
        // A phone that sees both sites keeps her: the departure comes first.
        let (after_both, _) = sijil_e2e::field::pull_all(&both, Some(&cursor_both), 100).await;
        assert!(held(&after_both, "participant").contains(&amira));

        // A trainer taken off a site starts over and no longer holds its people.
        let trainer_a = body(at_a.api.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let res = admin
            .patch(
                &format!("/api/users/{trainer_a}"),
                json!({ "site_ids": [b] }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = sijil_e2e::field::pull_page(&at_a.api, Some(&cursor_a), 100).await;
        assert_eq!(page["reset"], true);
    })
    .await;
}

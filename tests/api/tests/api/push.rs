//! Web push end to end: the real server sends to a push service on
//! loopback (`sijil_e2e::push_service`), which checks VAPID and decrypts
//! with an implementation of its own. On SQLite and PostgreSQL.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil::store::Db;
use sijil::users::model::Language;
use sijil_e2e::field::{activity_type, awareness_event, item, new_id, today, Phone};
use sijil_e2e::push_service::{Answer, PushService};
use sijil_e2e::{body, Api, TestApp};

const WAIT: Duration = Duration::from_secs(10);

fn push_config() -> Config {
    let mut config = Config::for_tests();
    config.push.allow_loopback = true;
    config.push.poll_ms = 100;
    config
}

fn quiet_config() -> Config {
    let mut config = push_config();
    config.push.send = false;
    config
}

async fn each_database<F, Fut>(scenario: F)
where
    F: Fn(Arc<TestDatabase>) -> Fut,
    Fut: Future<Output = ()>,
{
    for database in TestDatabase::all().await {
        eprintln!("-- on {}", database.kind());
        scenario(Arc::new(database)).await;
    }
}

/// A site with a coordinator, two mobilisers (the recorder and another),
/// each with a phone subscribed to the push service.
struct World {
    app: TestApp,
    svc: PushService,
    admin: Api,
    coordinator: Api,
    recorder: Phone,
    other: Phone,
    site: i64,
    aw: i64,
}

impl World {
    async fn new(app: TestApp) -> World {
        let svc = PushService::start().await;
        let admin = app.admin().await;
        let site = app.site(&admin, "PSH-A").await;
        let coordinator = app.user(&admin, "coord", "coordinator", &[site]).await;
        let recorder = Phone::new(app.user(&admin, "rana", "mobiliser", &[site]).await).await;
        let other = Phone::new(app.user(&admin, "omar", "mobiliser", &[site]).await).await;
        let aw = activity_type(&admin, "AW-GBV").await;
        let key = body(recorder.api.get("/api/push/key").await).await;
        svc.expect_vapid_key(key["public_key"].as_str().unwrap());
        let world = World {
            app,
            svc,
            admin,
            coordinator,
            recorder,
            other,
            site,
            aw,
        };
        world.subscribe(&world.recorder.api, "rana-phone").await;
        world.subscribe(&world.other.api, "omar-phone").await;
        world
    }

    async fn subscribe(&self, api: &Api, name: &str) -> i64 {
        let res = api
            .post(
                "/api/push/subscriptions",
                self.svc.subscribe(name, Answer::Accept),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        body(res).await["id"].as_i64().unwrap()
    }

    /// `n` awareness events recorded by `phone`; their ids.
    async fn records(&self, phone: &Phone, n: usize) -> Vec<String> {
        let ids: Vec<String> = (0..n).map(|_| new_id()).collect();
        let items: Vec<Value> = ids
            .iter()
            .map(|id| item("record", id, 0, awareness_event(self.site, self.aw, 3, 2)))
            .collect();
        let results = phone.push(&items).await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        ids
    }

    async fn flag(&self, id: &str) -> reqwest::Response {
        self.coordinator
            .post(
                &format!("/api/records/{id}/review"),
                json!({ "status": "flagged", "comment": "Was P-0042 really there?" }),
            )
            .await
    }

    async fn queue(&self, status: &str) -> i64 {
        self.app.count_where("push_queue", "status", status).await
    }
}

async fn delete(api: &Api, endpoint: &str) -> StatusCode {
    api.request(Method::DELETE, "/api/push/subscriptions")
        .json(&json!({ "endpoint": endpoint }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_vapid_key_is_made_once_even_when_two_instances_start_together() {
    each_database(|database| async move {
        let one = Db::connect(&database.url).await.unwrap();
        one.migrate().await.unwrap();
        let two = Db::connect(&database.url).await.unwrap();
        let (a, b) = tokio::join!(
            sijil::push::queue::ensure_key(&one),
            sijil::push::queue::ensure_key(&two)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "both instances must use one key");
        one.close().await;
        two.close().await;

        let app = TestApp::spawn(database.clone(), push_config()).await;
        assert_eq!(app.count("push_vapid_key").await, 1);
        let admin = app.admin().await;
        assert_eq!(
            app.anonymous().get("/api/push/key").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let key = body(admin.get("/api/push/key").await).await;
        assert_eq!(key["public_key"], a.public_key.as_str());
        let raw = base64_len(key["public_key"].as_str().unwrap());
        assert_eq!(raw, 65, "an uncompressed P-256 point");
        app.stop().await;
    })
    .await;
}

fn base64_len(s: &str) -> usize {
    // 4 characters carry 3 bytes; unpadded base64url.
    s.len() * 3 / 4
}

#[tokio::test]
async fn http_endpoints_are_refused_unless_the_loopback_switch_is_on() {
    each_database(|database| async move {
        let svc = PushService::start().await;
        let app = TestApp::spawn(database.clone(), Config::for_tests()).await;
        let admin = app.admin().await;
        let res = admin
            .post(
                "/api/push/subscriptions",
                svc.subscribe("x", Answer::Accept),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = body(res).await;
        assert_eq!(res["error"], "invalid");
        assert!(res["fields"]["endpoint"].is_string(), "{res}");
        assert_eq!(app.count("push_subscriptions").await, 0);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn subscriptions_are_checked_kept_per_device_and_leave_with_logout() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), push_config()).await;
        let svc = PushService::start().await;
        let admin = app.admin().await;
        let site = app.site(&admin, "PSH-B").await;
        let phone = app.user(&admin, "rana", "mobiliser", &[site]).await;
        let tablet = app.login("rana", "correct horse battery").await;
        let stranger = app.user(&admin, "omar", "mobiliser", &[site]).await;

        // Anonymous, and bad keys or endpoints: refused, nothing stored.
        let sub = svc.subscribe("phone", Answer::Accept);
        let anon = app.anonymous().post("/api/push/subscriptions", sub.clone()).await;
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
        for (field, bad) in [
            ("keys.p256dh", json!({ "endpoint": svc.endpoint("b"), "keys": { "p256dh": "AAAA", "auth": sub["keys"]["auth"] } })),
            ("keys.auth", json!({ "endpoint": svc.endpoint("b"), "keys": { "p256dh": sub["keys"]["p256dh"], "auth": "AAAA" } })),
            ("endpoint", json!({ "endpoint": "http://192.0.2.1/push/b", "keys": sub["keys"] })),
            ("endpoint", json!({ "endpoint": "javascript:alert(1)", "keys": sub["keys"] })),
        ] {
            let res = phone.post("/api/push/subscriptions", bad).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(body(res).await["fields"][field].is_string(), "{field}");
        }
        let unknown = json!({ "endpoint": svc.endpoint("b"), "keys": sub["keys"], "extra": 1 });
        let res = phone.post("/api/push/subscriptions", unknown).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body(res).await["error"], "invalid_body");
        assert_eq!(app.count("push_subscriptions").await, 0);

        // Two devices of one user; subscribing again is the same row.
        let a = phone.post("/api/push/subscriptions", sub.clone()).await;
        assert_eq!(a.status(), StatusCode::CREATED);
        let a = body(a).await["id"].as_i64().unwrap();
        let again = body(phone.post("/api/push/subscriptions", sub.clone()).await).await;
        assert_eq!(again["id"], a);
        let tablet_sub = svc.subscribe("tablet", Answer::Accept);
        let res = tablet.post("/api/push/subscriptions", tablet_sub).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(app.count("push_subscriptions").await, 2);

        // Another user cannot remove it; its owner can, once.
        assert_eq!(delete(&stranger, &svc.endpoint("phone")).await, StatusCode::NOT_FOUND);
        assert_eq!(delete(&phone, &svc.endpoint("phone")).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&phone, &svc.endpoint("phone")).await, StatusCode::NOT_FOUND);
        assert_eq!(app.count("push_subscriptions").await, 1);

        // Re-subscribe the phone, then sign out on the tablet: only the
        // tablet's subscription goes.
        let res = phone.post("/api/push/subscriptions", sub.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(
            tablet.post("/api/auth/logout", json!({})).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(app.count("push_subscriptions").await, 1);
        assert_eq!(
            app.count_where("push_subscriptions", "endpoint", &svc.endpoint("phone"))
                .await,
            1
        );
        // A shared phone: another user subscribing the same endpoint takes it over.
        let res = stranger.post("/api/push/subscriptions", sub).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(app.count("push_subscriptions").await, 1);
        assert_eq!(delete(&phone, &svc.endpoint("phone")).await, StatusCode::NOT_FOUND);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_flag_notifies_its_recorder_once_in_their_language() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), push_config()).await;
        let w = World::new(app).await;
        let res = w
            .recorder
            .api
            .patch("/api/me", json!({ "language": "ar" }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let ids = w.records(&w.recorder, 2).await;

        // Approving is not news; flagging is.
        let res = w
            .coordinator
            .post(
                &format!("/api/records/{}/review", ids[1]),
                json!({ "status": "approved" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = w.flag(&ids[0]).await;
        assert_eq!(res.status(), StatusCode::OK);

        let got = w.svc.wait_for(1, WAIT).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(w.svc.problems(), Vec::<String>::new());
        let got_all = w.svc.received();
        assert_eq!(got_all.len(), 1, "exactly one notification: {got_all:?}");
        let n = &got[0];
        assert_eq!(n.subscription, "rana-phone");
        assert_eq!(w.svc.hits("omar-phone"), 0, "nobody else hears of it");
        let day = sijil::push::model::day_month(Language::Ar, &today());
        assert_eq!(n.payload["kind"], "flag");
        assert_eq!(n.payload["lang"], "ar");
        assert_eq!(n.payload["open"], format!("/records/{}", ids[0]));
        let text = n.payload["body"].as_str().unwrap();
        assert!(text.contains(&day) && text.contains("Site PSH-A"), "{text}");
        // No participant data: the comment (which names a code) stays home.
        assert!(!n.payload.to_string().contains("P-0042"));
        assert_eq!(n.ttl, Some(7 * 24 * 3600));
        assert_eq!(n.urgency.as_deref(), Some("normal"));
        assert_eq!(n.topic.as_deref(), Some(ids[0].replace('-', "").as_str()));

        // The queue's health, for admins only.
        assert_eq!(
            w.coordinator.get("/api/push/health").await.status(),
            StatusCode::FORBIDDEN
        );
        let health = body(w.admin.get("/api/push/health").await).await;
        assert_eq!(health["sent"], 1);
        assert_eq!(health["pending"], 0);
        assert_eq!(health["failed"], 0);
        let subs = health["subscriptions"].as_array().unwrap();
        let rana = subs.iter().find(|s| s["login"] == "rana").unwrap();
        assert!(rana["last_success_at"].is_i64());
        assert_eq!(rana["push_service"], format!("http://{}", w.svc.addr));
        assert!(
            !health.to_string().contains("/push/rana-phone"),
            "endpoints stay secret"
        );
        let omar = subs.iter().find(|s| s["login"] == "omar").unwrap();
        assert!(omar["last_success_at"].is_null());
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_gone_subscription_is_removed() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), push_config()).await;
        let w = World::new(app).await;
        w.svc.set_answer("rana-phone", Answer::Status(410));
        let ids = w.records(&w.recorder, 1).await;
        assert_eq!(w.flag(&ids[0]).await.status(), StatusCode::OK);
        let start = Instant::now();
        while w
            .app
            .count_where(
                "push_subscriptions",
                "endpoint",
                &w.svc.endpoint("rana-phone"),
            )
            .await
            > 0
        {
            assert!(
                start.elapsed() < WAIT,
                "the gone subscription was not removed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(w.svc.hits("rana-phone"), 1);
        assert_eq!(w.queue("failed").await, 1);
        assert_eq!(w.queue("pending").await, 0);
        // The other user's device is untouched.
        assert_eq!(w.app.count("push_subscriptions").await, 1);
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn queued_notices_survive_a_restart_and_go_once() {
    each_database(|database| async move {
        // An instance that only queues, as if it stopped before sending.
        let app = TestApp::spawn(database.clone(), quiet_config()).await;
        let w = World::new(app).await;
        let ids = w.records(&w.recorder, 3).await;
        for id in &ids {
            assert_eq!(w.flag(id).await.status(), StatusCode::OK);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(w.queue("pending").await, 3);
        assert!(w.svc.received().is_empty());
        let World { app, svc, .. } = w;
        let database = app.stop().await;

        let app = TestApp::spawn(database, push_config()).await;
        let got = svc.wait_for(3, WAIT).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(svc.problems(), Vec::<String>::new());
        let got_all = svc.received();
        assert_eq!(got_all.len(), 3, "each once: {got_all:?}");
        let mut opens: Vec<String> = got
            .iter()
            .map(|r| r.payload["open"].as_str().unwrap().to_string())
            .collect();
        opens.sort();
        let mut want: Vec<String> = ids.iter().map(|id| format!("/records/{id}")).collect();
        want.sort();
        assert_eq!(opens, want);
        assert_eq!(app.count_where("push_queue", "status", "sent").await, 3);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_notice_once() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), quiet_config()).await;
        let w = World::new(app).await;
        // Three devices, twenty flags: sixty notices to share out.
        w.subscribe(&w.recorder.api, "rana-tablet").await;
        w.subscribe(&w.recorder.api, "rana-laptop").await;
        let ids = w.records(&w.recorder, 20).await;
        for id in &ids {
            assert_eq!(w.flag(id).await.status(), StatusCode::OK);
        }
        assert_eq!(w.queue("pending").await, 60);
        let (one, two) = tokio::join!(
            TestApp::spawn(database.clone(), push_config()),
            TestApp::spawn(database.clone(), push_config())
        );
        let start = Instant::now();
        w.svc.wait_for(60, WAIT).await;
        eprintln!("60 notices through two instances: {:?}", start.elapsed());
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(w.svc.problems(), Vec::<String>::new());
        let got = w.svc.received();
        let mut seen = std::collections::HashSet::new();
        for r in &got {
            assert!(
                seen.insert((r.subscription.clone(), r.payload["open"].to_string())),
                "sent twice: {} {}",
                r.subscription,
                r.payload["open"]
            );
        }
        assert_eq!(got.len(), 60);
        assert_eq!(w.queue("sent").await, 60);
        one.stop().await;
        two.stop().await;
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_hanging_push_service_does_not_delay_the_flag_request() {
    each_database(|database| async move {
        let mut config = push_config();
        config.push.request_timeout_ms = 1500;
        let app = TestApp::spawn(database.clone(), config).await;
        let w = World::new(app).await;
        w.svc.set_answer("rana-phone", Answer::Hang);
        let ids = w.records(&w.recorder, 2).await;
        assert_eq!(w.flag(&ids[0]).await.status(), StatusCode::OK);
        let start = Instant::now();
        while w.svc.hits("rana-phone") == 0 {
            assert!(start.elapsed() < WAIT, "the sender never tried");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A push request is hanging now; flagging again is as quick as ever.
        let start = Instant::now();
        assert_eq!(w.flag(&ids[1]).await.status(), StatusCode::OK);
        let took = start.elapsed();
        eprintln!("flag request while a push hangs: {took:?}");
        assert!(took < Duration::from_millis(1000), "the flag took {took:?}");
        // And another user's notice is not held up behind it.
        let theirs = w.records(&w.other, 1).await;
        let start = Instant::now();
        assert_eq!(w.flag(&theirs[0]).await.status(), StatusCode::OK);
        let got = w.svc.wait_for(1, WAIT).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].subscription, "omar-phone");
        assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
        // The hung attempt timed out and waits for a retry, not lost.
        tokio::time::sleep(Duration::from_millis(1800)).await;
        assert_eq!(w.queue("pending").await, 2);
        let error: Option<String> = sqlx::query_scalar(
            "SELECT last_error FROM push_queue WHERE status = 'pending' AND last_error IS NOT NULL LIMIT 1",
        )
        .fetch_optional(w.app.db.pool())
        .await
        .unwrap()
        .flatten();
        assert_eq!(error.as_deref(), Some("push service timed out"));
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_announcement_reaches_the_staff_of_the_chosen_sites_only() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), push_config()).await;
        let w = World::new(app).await;
        w.recorder
            .api
            .patch("/api/me", json!({ "language": "ar" }))
            .await;
        let elsewhere = w.app.site(&w.admin, "PSH-Z").await;
        let zaid = w
            .app
            .user(&w.admin, "zaid", "mobiliser", &[elsewhere])
            .await;
        w.subscribe(&zaid, "zaid-phone").await;
        let text = "Training on Sunday at 10:00 in the main hall";

        // Refusals change nothing: too long, a site out of scope, a mobiliser.
        let long = w
            .coordinator
            .post(
                "/api/push/announcements",
                json!({ "site_ids": [w.site], "text": "x".repeat(281) }),
            )
            .await;
        assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(long).await["fields"]["text"].is_string());
        let foreign = w
            .coordinator
            .post(
                "/api/push/announcements",
                json!({ "site_ids": [w.site, elsewhere], "text": text }),
            )
            .await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
        let mobiliser = w
            .recorder
            .api
            .post(
                "/api/push/announcements",
                json!({ "site_ids": [w.site], "text": text }),
            )
            .await;
        assert_eq!(mobiliser.status(), StatusCode::FORBIDDEN);
        assert_eq!(w.app.count("push_queue").await, 0);

        let res = w
            .coordinator
            .post(
                "/api/push/announcements",
                json!({ "site_ids": [w.site], "text": text }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = body(res).await;
        assert_eq!(res["recipients"], 2, "rana and omar, not the sender");
        assert_eq!(res["devices"], 2);
        w.svc.wait_for(2, WAIT).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(w.svc.problems(), Vec::<String>::new());
        let got = w.svc.received();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(w.svc.hits("zaid-phone"), 0);
        let rana = w.svc.received_by("rana-phone");
        assert_eq!(rana[0].payload["title"], "رسالة من coord");
        assert_eq!(rana[0].payload["body"], text);
        assert_eq!(rana[0].payload["kind"], "announcement");
        let omar = w.svc.received_by("omar-phone");
        assert_eq!(omar[0].payload["title"], "Message from coord");

        let audit = body(w.admin.get("/api/audit?action=push.announcement").await).await;
        let entries = audit["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["detail"]["recipients"], 2);
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_group_meeting_today_without_a_record_reminds_its_facilitator_once() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), quiet_config()).await;
        let w = World::new(app).await;
        let mut tala = Phone::new(w.app.user(&w.admin, "tala", "trainer", &[w.site]).await).await;
        w.subscribe(&tala.api, "tala-phone").await;
        let tala_id = body(tala.api.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let pss = activity_type(&w.admin, "PSS").await;
        let weekday = time::OffsetDateTime::now_utc()
            .weekday()
            .number_from_monday();
        let other_day = weekday % 7 + 1;

        let (p, person) = tala.participant(w.site, "female", 2012);
        let (due, recorded, not_today) = (new_id(), new_id(), new_id());
        let group = |weekdays: Vec<u8>| {
            let mut g = sijil_e2e::field::group(w.site, pss, std::slice::from_ref(&p));
            g["weekdays"] = json!(weekdays);
            g["facilitator_ids"] = json!([tala_id]);
            g
        };
        let mut bad = group(vec![weekday]);
        bad["weekdays"] = json!([0, 8]);
        let results = tala
            .push(&[
                person,
                item("group", &due, 0, group(vec![weekday])),
                item("group", &recorded, 0, group(vec![weekday, other_day])),
                item("group", &not_today, 0, group(vec![other_day])),
                item("group", &new_id(), 0, bad),
                item(
                    "record",
                    &new_id(),
                    0,
                    sijil_e2e::field::session(w.site, pss, &recorded, std::slice::from_ref(&p)),
                ),
            ])
            .await;
        let statuses: Vec<&str> = results
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["stored", "stored", "stored", "stored", "invalid", "stored"],
            "{results:?}"
        );
        assert!(
            results[4]["errors"]["weekdays"]
                == json!({ "code": "out_of_range", "min": 1, "max": 7 }),
            "{}",
            results[4]
        );

        // Two instances that send and remind, started together.
        let mut config = push_config();
        config.push.reminder_hour = Some(0);
        config.push.utc_offset_minutes = 0;
        config.push.reminder_poll_ms = 100;
        let (one, two) = tokio::join!(
            TestApp::spawn(database.clone(), config.clone()),
            TestApp::spawn(database.clone(), config)
        );
        let got = w.svc.wait_for(1, WAIT).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(w.svc.problems(), Vec::<String>::new());
        assert_eq!(
            w.svc.received().len(),
            1,
            "one reminder: {:?}",
            w.svc.received()
        );
        assert_eq!(got[0].subscription, "tala-phone");
        assert_eq!(got[0].payload["kind"], "reminder");
        assert_eq!(got[0].payload["open"], format!("/session/{due}"));
        assert!(
            !got[0].payload.to_string().contains("Women's PSS group"),
            "no group names"
        );
        assert_eq!(w.app.count("push_reminder_runs").await, 1);
        one.stop().await;
        two.stop().await;
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_busy_push_service_is_tried_again_later_and_a_dead_instances_claim_runs_out() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), quiet_config()).await;
        let w = World::new(app).await;
        let ids = w.records(&w.recorder, 2).await;
        for id in &ids {
            assert_eq!(w.flag(id).await.status(), StatusCode::OK);
        }
        // One notice is held by an instance that died a moment ago: its
        // lease has a minute to run.
        let now = sijil::store::now_millis();
        let held: i64 = sqlx::query_scalar("SELECT MIN(id) FROM push_queue")
            .fetch_one(w.app.db.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE push_queue SET claimed_by = 'dead', claimed_until = $1, attempts = 1 WHERE id = $2")
            .bind(now + 60_000)
            .bind(held)
            .execute(w.app.db.pool())
            .await
            .unwrap();
        w.svc.set_answer("rana-phone", Answer::Status(503));
        let sender = TestApp::spawn(database.clone(), push_config()).await;
        let start = Instant::now();
        while w.svc.hits("rana-phone") == 0 {
            assert!(start.elapsed() < WAIT, "the free notice was never tried");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        // 503: tried once, then put off by the backoff (30 s), not lost.
        assert_eq!(w.svc.hits("rana-phone"), 1);
        let (attempts, due_at, error): (i64, i64, Option<String>) = sqlx::query_as(
            "SELECT attempts, due_at, last_error FROM push_queue WHERE id <> $1",
        )
        .bind(held)
        .fetch_one(w.app.db.pool())
        .await
        .unwrap();
        assert_eq!(attempts, 1);
        assert!(due_at >= now + 25_000, "retried after a backoff");
        assert_eq!(error.as_deref(), Some("push service answered 503 Service Unavailable"));
        assert_eq!(w.queue("pending").await, 2);

        // The dead instance's lease runs out: the notice is sent, once.
        w.svc.set_answer("rana-phone", Answer::Accept);
        sqlx::query("UPDATE push_queue SET claimed_until = $1 WHERE id = $2")
            .bind(now - 1)
            .bind(held)
            .execute(w.app.db.pool())
            .await
            .unwrap();
        let got = w.svc.wait_for(1, WAIT).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(w.svc.received().len(), 1, "{got:?}");
        assert_eq!(w.queue("sent").await, 1);
        assert_eq!(w.svc.problems(), Vec::<String>::new());
        sender.stop().await;
        w.app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_stops_notices_to_the_phones_subscribed_before_it() {
    each_database(|database| async move {
        let app = TestApp::spawn(database.clone(), quiet_config()).await;
        let w = World::new(app).await;
        let rana_id = body(w.recorder.api.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let ids = w.records(&w.recorder, 2).await;
        assert_eq!(w.flag(&ids[0]).await.status(), StatusCode::OK);
        assert_eq!(w.queue("pending").await, 1);
        // Her phone is lost: the admin resets her password.
        let res = w
            .admin
            .post(
                &format!("/api/users/{rana_id}/password"),
                json!({ "password": "a new long password" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(w.flag(&ids[1]).await.status(), StatusCode::OK);
        let sender = TestApp::spawn(database.clone(), push_config()).await;
        let start = Instant::now();
        while w.queue("pending").await > 0 {
            assert!(start.elapsed() < WAIT, "the queue never settled");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            w.svc.hits("rana-phone"),
            0,
            "nothing reaches the lost phone"
        );
        assert_eq!(w.queue("failed").await, 1);
        assert_eq!(
            w.app
                .count_where(
                    "push_subscriptions",
                    "endpoint",
                    &w.svc.endpoint("rana-phone")
                )
                .await,
            0
        );
        // Signed in again with the new password and subscribed: notices flow.
        let rana = w.app.login("rana", "a new long password").await;
        w.subscribe(&rana, "rana-new-phone").await;
        assert_eq!(w.flag(&ids[1]).await.status(), StatusCode::OK);
        let got = w.svc.wait_for(1, WAIT).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].subscription, "rana-new-phone");
        sender.stop().await;
        w.app.stop().await;
    })
    .await;
}

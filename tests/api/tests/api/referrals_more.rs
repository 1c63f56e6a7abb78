//! Referrals, continued (docs/design.md §9): paging the lists, an outside
//! organisation's answers recorded by the referring side, and the push
//! notices a referral's steps send.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sijil_e2e::{body, each_database};

use crate::referrals::{audited, days_ago, list, participant, refer, step, world};

/// One page of a list: its referrals' ids and where the next page begins.
async fn page(api: &sijil_e2e::Api, query: &str) -> (Vec<String>, Option<String>) {
    let res = api.get(&format!("/api/referrals?{query}")).await;
    let status = res.status();
    let answer = body(res).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ids = answer["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (ids, answer["next_before"].as_str().map(str::to_string))
}

fn ids(referrals: &[Value]) -> Vec<String> {
    referrals
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_received_list_pages_by_keyset_each_page_scoped_and_audited() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        // Seven referrals to B, three of them on one day (the order's
        // second and third keys decide between those), one to the clinic.
        for days in [9, 8, 8, 8, 5, 3, 1] {
            refer(
                &w.phone_a.api,
                &code,
                w.site_a,
                w.legal_aid,
                &days_ago(days),
            )
            .await;
        }
        refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(2)).await;
        let whole = ids(&list(&w.coord_b, "side=received").await);
        assert_eq!(whole.len(), 7);
        let audit_before = audited(&app, "referral.list").await;

        // Pages of three: 3, 3, 1, in the order of the whole list, each once.
        let (first, next) = page(&w.coord_b, "side=received&limit=3").await;
        assert_eq!(first, whole[..3]);
        let next = next.expect("a second page");
        // A referral made while someone pages is newer than the pages
        // already read: it neither shifts nor repeats what follows.
        refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(0)).await;
        let (second, next) =
            page(&w.coord_b, &format!("side=received&limit=3&before={next}")).await;
        assert_eq!(second, whole[3..6]);
        let (third, next) = page(
            &w.coord_b,
            &format!(
                "side=received&limit=3&before={}",
                next.expect("a third page")
            ),
        )
        .await;
        assert_eq!(third, whole[6..]);
        assert_eq!(next, None, "the last page says there is no more");
        let seen: BTreeSet<&String> = first.iter().chain(&second).chain(&third).collect();
        assert_eq!(seen.len(), 7);
        // Exactly a page's worth left: no empty page is promised.
        let (all, next) = page(&w.coord_b, "side=received&limit=8").await;
        assert_eq!((all.len(), next), (8, None));

        // Each page read is audited, with where it began.
        assert_eq!(audited(&app, "referral.list").await, audit_before + 4);
        let befores: Vec<Option<String>> = sqlx::query_scalar::<_, String>(
            "SELECT detail FROM audit_log WHERE action = 'referral.list' ORDER BY id DESC LIMIT 4",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::from_str::<Value>(d).unwrap()["before"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
        assert_eq!(befores.iter().filter(|b| b.is_some()).count(), 2);

        // Paging stays in scope: the referring site's trainer pages only her own.
        let (made, next) = page(&w.phone_a.api, "side=made&limit=100").await;
        assert_eq!((made.len(), next), (9, None));
        let (received, _) = page(&w.coord_a, "side=received&limit=3").await;
        assert!(received.is_empty());
        // A page end from the receiving side's list shows the referring
        // coordinator nothing that is not theirs either.
        let (_, next) = page(&w.coord_b, "side=received&limit=1").await;
        let (theirs, _) = page(
            &w.coord_a,
            &format!("side=received&before={}", next.unwrap()),
        )
        .await;
        assert!(theirs.is_empty());

        // A made-up page end is refused in the error shape, and not audited.
        let audit_before = audited(&app, "referral.list").await;
        for bad in [
            "yesterday",
            "2026-11-20_12",
            "2026-11-20_12_nope",
            "2026-11-20_x_0b9d5a52-6c1e-4f53-9a43-1f6f1c0b7e21",
        ] {
            let res = w
                .coord_b
                .get(&format!("/api/referrals?side=received&before={bad}"))
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            let answer = body(res).await;
            assert_eq!(answer["error"], "invalid");
            assert!(answer["fields"]["before"].is_string(), "{answer}");
        }
        assert_eq!(audited(&app, "referral.list").await, audit_before);
    })
    .await;
}

#[tokio::test]
async fn an_outside_organisations_answers_are_recorded_by_the_referring_sites_coordinator() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "male", 2012).await;
        // Another trainer of the referring site, who did not make these referrals.
        let colleague = app.user(&w.admin, "dilan", "trainer", &[w.site_a]).await;
        // A coordinator of another partner's site.
        let site_c = app.site(&w.admin, "DUH-C").await;
        let coord_c = app
            .user(&w.admin, "coord-c", "coordinator", &[site_c])
            .await;

        // Accepted, then the service received; then closed.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(6)).await;
        let id = r["id"].as_str().unwrap();
        for outsider in [&w.trainer_b, &w.coord_b, &coord_c, &colleague] {
            let (status, _) = step(outsider, id, "accepted", &days_ago(5), 1).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        let (status, accepted) = step(&w.coord_a, id, "accepted", &days_ago(5), 1).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        let (status, received) = step(&w.coord_a, id, "service_received", &days_ago(2), 2).await;
        assert_eq!(status, StatusCode::OK, "{received}");
        assert_eq!(received["service_on"], days_ago(2));
        assert_eq!(received["steps"][2]["by_name"], "coord-a");

        // Declined.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(4)).await;
        let id = r["id"].as_str().unwrap();
        let (status, declined) = step(&w.coord_a, id, "declined", &days_ago(3), 1).await;
        assert_eq!(status, StatusCode::OK, "{declined}");
        assert_eq!(declined["declined_on"], days_ago(3));

        // Accepted, then not reached; the order still holds for the referring side.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(4)).await;
        let id = r["id"].as_str().unwrap();
        let (status, answer) = step(&w.coord_a, id, "not_reached", &days_ago(3), 1).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("referral_wrong_step"))
        );
        let (status, _) = step(&w.coord_a, id, "accepted", &days_ago(3), 1).await;
        assert_eq!(status, StatusCode::OK);
        let (status, reached) = step(&w.coord_a, id, "not_reached", &days_ago(1), 2).await;
        assert_eq!(status, StatusCode::OK, "{reached}");
        assert_eq!(reached["not_reached_on"], days_ago(1));

        // The coordinator's made list shows them as they now stand; the
        // statuses reached the referrer's list too.
        let made = list(&w.coord_a, "side=made").await;
        let statuses: BTreeSet<&str> = made.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(
            statuses,
            BTreeSet::from(["service_received", "declined", "not_reached"])
        );
        assert_eq!(audited(&app, "referral.status").await, 5);

        // A partner's answer is still the partner's own to give.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(1)).await;
        let (status, _) = step(
            &w.coord_a,
            r["id"].as_str().unwrap(),
            "accepted",
            &days_ago(0),
            1,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// Who each queued notice is for, its kind and its JSON, in order.
async fn queued(app: &sijil_e2e::TestApp) -> Vec<(i64, String, Value)> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT s.user_id, q.kind, q.payload FROM push_queue q JOIN push_subscriptions s ON s.id = q.subscription_id ORDER BY q.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(user, kind, payload)| (user, kind, serde_json::from_str(&payload).unwrap()))
        .collect()
}

async fn user_id(api: &sijil_e2e::Api) -> i64 {
    body(api.get("/api/me").await).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_referral_notifies_the_receiving_coordinators_and_its_answers_the_referrer_only() {
    use sijil::config::Config;
    use sijil::store::testing::TestDatabase;
    use sijil_e2e::field::{item, new_id};
    use sijil_e2e::push_service::{Answer, PushService};
    use sijil_e2e::TestApp;

    for database in TestDatabase::all().await {
        eprintln!("-- on {}", database.kind());
        // Notices stay in the queue, where the test reads them.
        let mut config = Config::for_tests();
        config.push.allow_loopback = true;
        config.push.send = false;
        let app = TestApp::spawn(std::sync::Arc::new(database), config).await;
        let svc = PushService::start().await;
        let mut w = world(&app).await;
        let site_b: i64 = sqlx::query_scalar("SELECT id FROM sites WHERE code = 'MOS-B'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        // A second coordinator of the receiving partner; a programme-wide one.
        let coord_b2 = app
            .user(&w.admin, "coord-b2", "coordinator", &[site_b])
            .await;
        let res = w
            .admin
            .post(
                "/api/users",
                serde_json::json!({ "login": "lead", "display_name": "lead", "role": "coordinator",
                    "password": "correct horse battery", "site_ids": [], "all_sites": true }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let lead = app.login("lead", "correct horse battery").await;
        let everyone = [
            (&w.phone_a.api, "amal"),
            (&w.coord_a, "coord-a"),
            (&w.trainer_b, "bayan"),
            (&w.coord_b, "coord-b"),
            (&coord_b2, "coord-b2"),
            (&lead, "lead"),
            (&w.admin, "admin"),
        ];
        for (api, name) in everyone {
            let res = api
                .post(
                    "/api/push/subscriptions",
                    svc.subscribe(name, Answer::Accept),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED, "{name}");
        }
        let amal = user_id(&w.phone_a.api).await;
        let (coord_b, coord_b2) = (user_id(&w.coord_b).await, user_id(&coord_b2).await);
        // The referrer reads Arabic: her notices are written in it.
        let res = w
            .phone_a
            .api
            .patch("/api/me", serde_json::json!({ "language": "ar" }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let bare = code.replace('-', "");
        let private = |notice: &Value| {
            let text = notice.to_string();
            assert!(
                !text.contains(&code) && !text.contains(&bare) && !text.contains("1990"),
                "a notice names the person: {text}"
            );
        };

        // Made online: the receiving partner's two site coordinators, no one else.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(3)).await;
        let id = r["id"].as_str().unwrap().to_string();
        let q = queued(&app).await;
        let to: BTreeSet<i64> = q.iter().map(|(u, _, _)| *u).collect();
        assert_eq!(to, BTreeSet::from([coord_b, coord_b2]), "{q:?}");
        for (_, kind, notice) in &q {
            assert_eq!(kind, "referral_new");
            assert_eq!(notice["open"], "/referrals");
            assert_eq!(notice["lang"], "en");
            assert!(
                notice["body"].as_str().unwrap().contains("Site MOS-A"),
                "{notice}"
            );
            private(notice);
        }

        // Made offline and pushed: the same two; to an outside organisation: nobody.
        let pushed = new_id();
        let data = crate::referrals::referral(&code, w.site_a, w.legal_aid, &days_ago(1));
        let results = w
            .phone_a
            .push(&[
                item("referral", &pushed, 0, data),
                item(
                    "referral",
                    &new_id(),
                    0,
                    crate::referrals::referral(&code, w.site_a, w.clinic, &days_ago(1)),
                ),
            ])
            .await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        let q = queued(&app).await;
        assert_eq!(q.len(), 4, "{q:?}");
        assert!(q[2..]
            .iter()
            .all(|(u, k, _)| k == "referral_new" && [coord_b, coord_b2].contains(u)));
        // A resend is stored once and tells nobody again.
        let again = crate::referrals::referral(&code, w.site_a, w.legal_aid, &days_ago(1));
        let results = w.phone_a.push(&[item("referral", &pushed, 0, again)]).await;
        assert_eq!(results[0]["status"], "duplicate", "{results:?}");
        assert_eq!(queued(&app).await.len(), 4);

        // A refused step queues nothing.
        let (status, _) = step(&w.trainer_b, &id, "service_received", &days_ago(2), 1).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(queued(&app).await.len(), 4);
        // Two answers at once: one wins, and its notice alone is queued.
        let on = days_ago(2);
        let (one, two) = tokio::join!(
            step(&w.trainer_b, &id, "accepted", &on, 1),
            step(&w.coord_b, &id, "declined", &on, 1)
        );
        let won = [one.0, two.0]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(won, 1, "{one:?} {two:?}");
        let q = queued(&app).await;
        assert_eq!(q.len(), 5, "{q:?}");
        let (user, kind, notice) = &q[4];
        assert_eq!(
            (*user, kind.as_str(), notice["lang"].as_str()),
            (amal, "referral", Some("ar"))
        );
        private(notice);
        let version = if one.0 == StatusCode::OK {
            &one.1
        } else {
            &two.1
        }["version"]
            .as_i64()
            .unwrap();
        let answered = if one.0 == StatusCode::OK {
            "accepted"
        } else {
            "declined"
        };
        if answered == "accepted" {
            // The service received: the referrer again; closing it herself: nobody.
            let (status, _) =
                step(&w.coord_b, &id, "service_received", &days_ago(1), version).await;
            assert_eq!(status, StatusCode::OK);
            let q = queued(&app).await;
            assert_eq!((q.len(), q[5].0, q[5].1.as_str()), (6, amal, "referral"));
            let (status, _) = step(&w.phone_a.api, &id, "closed", &days_ago(0), version + 1).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(queued(&app).await.len(), 6);
        } else {
            let (status, _) = step(&w.phone_a.api, &id, "closed", &days_ago(0), version).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(queued(&app).await.len(), 5);
        }
        let before = queued(&app).await.len();

        // An outside organisation's answer recorded by the referring coordinator: the referrer hears.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(2)).await;
        assert_eq!(
            queued(&app).await.len(),
            before,
            "an outside organisation has nobody to tell"
        );
        let (status, _) = step(
            &w.coord_a,
            r["id"].as_str().unwrap(),
            "accepted",
            &days_ago(1),
            1,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let q = queued(&app).await;
        assert_eq!(q.len(), before + 1);
        assert_eq!((q[before].0, q[before].1.as_str()), (amal, "referral"));
        // What the referrer recorded herself is not news to her.
        let r = refer(&w.coord_a, &code, w.site_a, w.clinic, &days_ago(2)).await;
        let (status, _) = step(
            &w.coord_a,
            r["id"].as_str().unwrap(),
            "declined",
            &days_ago(1),
            1,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(queued(&app).await.len(), before + 1);
        app.stop().await;
    }
}

//! Referrals and the service directory (docs/design.md §9): consent,
//! who sees what, the status machine, overdue, offline push, figures and
//! their export, and two people moving one referral at once.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::config::{Config, ReferralConfig};
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{item, new_id, pull_all, Phone};
use sijil_e2e::{body, each_database, Api, TestApp};
use time::Duration;

/// `days` days before today, as a phone sends dates.
pub(crate) fn days_ago(days: i64) -> String {
    sijil::validate::dates::format(sijil::validate::dates::today() - Duration::days(days))
}

pub(crate) async fn partner_of(app: &TestApp, site: i64) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT partner_id FROM sites WHERE id = $1")
        .bind(site)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Two sites of two partners: A refers, B's partner receives. B's partner
/// offers legal aid in governorate 15; an outside clinic offers health.
pub(crate) struct World {
    pub admin: Api,
    pub site_a: i64,
    pub phone_a: Phone,
    pub coord_a: Api,
    pub trainer_b: Api,
    pub coord_b: Api,
    pub legal_aid: i64,
    pub clinic: i64,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let site_a = app.site(&admin, "MOS-A").await;
    let site_b = app.site(&admin, "MOS-B").await;
    let partner_b = partner_of(app, site_b).await;
    let phone_a = Phone::new(app.user(&admin, "amal", "trainer", &[site_a]).await).await;
    let coord_a = app.user(&admin, "coord-a", "coordinator", &[site_a]).await;
    let trainer_b = app.user(&admin, "bayan", "trainer", &[site_b]).await;
    let coord_b = app.user(&admin, "coord-b", "coordinator", &[site_b]).await;
    // B's coordinator keeps their own partner's entry.
    let org_b = coord_b
        .post(
            "/api/directory/organisations",
            json!({ "name": "Partner B services", "partner_id": partner_b, "contact": "0750 000 0000" }),
        )
        .await;
    assert_eq!(org_b.status(), StatusCode::CREATED);
    let org_b = body(org_b).await["id"].as_i64().unwrap();
    let legal_aid = service(&coord_b, org_b, "legal_aid", 15).await;
    let outside = admin
        .post(
            "/api/directory/organisations",
            json!({ "name": "Outside clinic" }),
        )
        .await;
    assert_eq!(outside.status(), StatusCode::CREATED);
    let outside = body(outside).await["id"].as_i64().unwrap();
    let clinic = service(&admin, outside, "health", 15).await;
    World {
        admin,
        site_a,
        phone_a,
        coord_a,
        trainer_b,
        coord_b,
        legal_aid,
        clinic,
    }
}

pub(crate) async fn service(api: &Api, organisation: i64, category: &str, area: i64) -> i64 {
    let res = api
        .post(
            "/api/directory/services",
            json!({ "organisation_id": organisation, "category": category, "name": format!("{category} desk"),
                "area_id": area, "languages": ["ar", "ckb"], "accessibility": "ground floor", "how_to_reach": "walk in, Sunday to Thursday" }),
        )
        .await;
    let status = res.status();
    let b = body(res).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

/// Registers a participant on `phone` at `site`; returns her code.
pub(crate) async fn participant(
    phone: &mut Phone,
    site: i64,
    sex: &str,
    birth_year: i64,
) -> String {
    let (_, it) = phone.participant(site, sex, birth_year);
    let code = it["data"]["code"].as_str().unwrap().to_string();
    let results = phone.push(&[it]).await;
    assert_eq!(results[0]["status"], "stored", "{results:?}");
    code
}

pub(crate) fn referral(code: &str, site: i64, service: i64, referred_on: &str) -> Value {
    json!({ "participant_code": code, "site_id": site, "service_id": service,
        "referred_on": referred_on, "urgency": "urgent", "consent": true })
}

/// Refers online; returns the referral as answered.
pub(crate) async fn refer(
    api: &Api,
    code: &str,
    site: i64,
    service: i64,
    referred_on: &str,
) -> Value {
    let mut b = referral(code, site, service, referred_on);
    b["id"] = json!(new_id());
    let res = api.post("/api/referrals", b).await;
    let status = res.status();
    let answer = body(res).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

pub(crate) async fn step(
    api: &Api,
    id: &str,
    status: &str,
    on: &str,
    version: i64,
) -> (StatusCode, Value) {
    let res = api
        .post(
            &format!("/api/referrals/{id}/status"),
            json!({ "status": status, "on": on, "version": version }),
        )
        .await;
    (res.status(), body(res).await)
}

pub(crate) async fn list(api: &Api, query: &str) -> Vec<Value> {
    let res = api.get(&format!("/api/referrals?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await["referrals"].as_array().unwrap().clone()
}

pub(crate) async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count_where("audit_log", "action", action).await
}

#[tokio::test]
async fn no_consent_no_referral_and_bad_input_changes_nothing() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let mobiliser = app.user(&w.admin, "mob", "mobiliser", &[w.site_a]).await;
        let audit_before = app.count("audit_log").await;
        let base = || {
            let mut b = referral(&code, w.site_a, w.legal_aid, &days_ago(0));
            b["id"] = json!(new_id());
            b
        };
        for consent in [json!(false), Value::Null] {
            let mut b = base();
            match consent {
                Value::Null => {
                    b.as_object_mut().unwrap().remove("consent");
                }
                c => b["consent"] = c,
            }
            let res = w.phone_a.api.post("/api/referrals", b).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let answer = body(res).await;
            assert_eq!(answer["error"], "consent_required", "{answer}");
            assert!(answer["fields"]["consent"].is_string());
        }
        // Offline, the same refusal comes back for the item.
        let mut data = referral(&code, w.site_a, w.legal_aid, &days_ago(0));
        data["consent"] = json!(false);
        let results = w
            .phone_a
            .push(&[item("referral", &new_id(), 0, data)])
            .await;
        assert_eq!(results[0]["status"], "invalid");
        assert_eq!(
            results[0]["errors"]["consent"],
            json!({ "code": "consent_required" })
        );

        let bad: Vec<(Value, StatusCode)> = vec![
            (
                json!({ "note": "needs a female interpreter" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "note": "a\u{0}b" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "participant_code": "K7M\u{0}42QX" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "id": "not-a-uuid" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "service_id": 999_999 }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "referred_on": days_ago(-5) }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "referred_on": days_ago(400) }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "urgency": "whenever" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "reason": "violence at home" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "participant_code": "AAAAAAA" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (change, expected) in bad {
            let mut b = base();
            for (k, v) in change.as_object().unwrap() {
                b[k] = v.clone();
            }
            let res = w.phone_a.api.post("/api/referrals", b).await;
            let status = res.status();
            let answer = body(res).await;
            assert_eq!(status, expected, "{change}: {answer}");
            assert!(answer["error"].is_string());
        }
        // A mobiliser does not refer.
        assert_eq!(
            mobiliser.post("/api/referrals", base()).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.count("referrals").await, 0);
        assert_eq!(app.count("referral_steps").await, 0);
        // Only the push that refused an item is in the log (as every push that refused something).
        assert_eq!(app.count("audit_log").await, audit_before + 1);
    })
    .await;
}

#[tokio::test]
async fn each_side_sees_only_its_own_referrals() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let site_c = app.site(&w.admin, "DUH-C").await;
        let mut phone_c =
            Phone::new(app.user(&w.admin, "chiman", "trainer", &[site_c]).await).await;
        let code_a = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let code_c = participant(&mut phone_c, site_c, "male", 2012).await;
        let to_b = refer(&w.phone_a.api, &code_a, w.site_a, w.legal_aid, &days_ago(1)).await;
        let to_clinic = refer(&phone_c.api, &code_c, site_c, w.clinic, &days_ago(1)).await;
        assert_eq!(to_b["status"], "referred");
        assert_eq!(to_b["participant"]["code"], code_a);
        assert!(
            to_b.get("given_name").is_none() && to_b["participant"].get("given_name").is_none()
        );

        let ids = |rs: Vec<Value>| -> Vec<String> {
            rs.iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        };
        let id_b = to_b["id"].as_str().unwrap().to_string();
        let id_c = to_clinic["id"].as_str().unwrap().to_string();
        // The receiving partner sees what is addressed to it, nothing else.
        assert_eq!(
            ids(list(&w.trainer_b, "side=received").await),
            vec![id_b.as_str()]
        );
        assert_eq!(
            ids(list(&w.coord_b, "side=received").await),
            vec![id_b.as_str()]
        );
        assert!(list(&w.coord_b, "side=made").await.is_empty());
        // The referring sites see their own.
        assert_eq!(ids(list(&w.phone_a.api, "").await), vec![id_b.as_str()]);
        assert_eq!(
            ids(list(&w.coord_a, "side=made").await),
            vec![id_b.as_str()]
        );
        assert_eq!(
            ids(list(&phone_c.api, "side=made").await),
            vec![id_c.as_str()]
        );
        assert!(list(&w.coord_a, "side=received").await.is_empty());
        // Another site's referral answers as if it did not exist.
        assert_eq!(
            phone_c
                .api
                .get(&format!("/api/referrals/{id_b}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            w.trainer_b
                .get(&format!("/api/referrals/{id_c}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let (status, _) = step(&phone_c.api, &id_b, "accepted", &days_ago(0), 1).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let one = body(w.trainer_b.get(&format!("/api/referrals/{id_b}")).await).await;
        assert_eq!(one["steps"].as_array().unwrap().len(), 1);
        // Every list and read is in the audit log.
        assert_eq!(audited(&app, "referral.list").await, 7);
        assert_eq!(audited(&app, "referral.read").await, 1);
        assert_eq!(audited(&app, "referral.create").await, 2);
        // Mobilisers read no referrals.
        let mobiliser = app.user(&w.admin, "mob", "mobiliser", &[w.site_a]).await;
        assert_eq!(
            mobiliser.get("/api/referrals").await.status(),
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_status_moves_in_order_by_the_side_that_may_move_it() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let r = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(5)).await;
        let id = r["id"].as_str().unwrap();
        // The referring side does not answer for a partner.
        let (status, _) = step(&w.phone_a.api, id, "accepted", &days_ago(4), 1).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Wrong order: nothing received before it was accepted.
        let (status, answer) = step(&w.trainer_b, id, "service_received", &days_ago(4), 1).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("referral_wrong_step"))
        );
        // A step dated before the referral is refused.
        let (status, _) = step(&w.trainer_b, id, "accepted", &days_ago(6), 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Bad input: a 4xx in the error shape, and nothing moved.
        for bad in [
            json!({ "status": "accepted", "on": "2026-11-0\u{0}1", "version": 1 }),
            json!({ "status": "reopened", "version": 1 }),
            json!({ "status": "accepted" }),
            json!({ "status": "accepted", "version": 1, "reason": "none of your business" }),
        ] {
            let res = w
                .trainer_b
                .post(&format!("/api/referrals/{id}/status"), bad.clone())
                .await;
            assert!(res.status().is_client_error(), "{bad}: {}", res.status());
            assert!(body(res).await["error"].is_string());
        }
        assert_eq!(
            w.trainer_b
                .post(
                    "/api/referrals/not-a-uuid/status",
                    json!({ "status": "accepted", "version": 1 })
                )
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.count("referral_steps").await, 1);
        let (status, accepted) = step(&w.trainer_b, id, "accepted", &days_ago(4), 1).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(
            (accepted["status"].as_str(), accepted["version"].as_i64()),
            (Some("accepted"), Some(2))
        );
        assert_eq!(accepted["accepted_on"], days_ago(4));
        // Based on the old version: someone else moved it.
        let (status, answer) = step(&w.trainer_b, id, "declined", &days_ago(3), 1).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("referral_changed"))
        );
        let (status, answer) = step(&w.trainer_b, id, "declined", &days_ago(3), 2).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("referral_wrong_step"))
        );
        let (status, answer) = step(&w.trainer_b, id, "closed", &days_ago(3), 2).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::CONFLICT, Some("referral_wrong_step"))
        );
        let (status, _) = step(&w.coord_b, id, "service_received", &days_ago(2), 2).await;
        assert_eq!(status, StatusCode::OK);
        // Either side closes.
        let (status, closed) = step(&w.phone_a.api, id, "closed", &days_ago(0), 3).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        let steps: Vec<&str> = closed["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["referred", "accepted", "service_received", "closed"]
        );
        assert_eq!(closed["steps"][1]["by_name"], "bayan");
        assert_eq!(audited(&app, "referral.status").await, 3);
        // The referrer's phone shows the status as it stands.
        let (changes, _) = pull_all(&w.phone_a.api, None, 500).await;
        let pulled: Vec<&Value> = changes
            .iter()
            .filter(|c| c["entity"] == "referral")
            .collect();
        assert_eq!(pulled.len(), 1);
        assert_eq!(pulled[0]["data"]["status"], "closed");
        assert_eq!(pulled[0]["version"], 4);
        // The receiving trainer's phone does not carry it.
        let (changes, _) = pull_all(&w.trainer_b, None, 500).await;
        assert!(!changes.iter().any(|c| c["entity"] == "referral"));

        // An outside organisation has no users here: the referring side records its answers.
        let r = refer(&w.phone_a.api, &code, w.site_a, w.clinic, &days_ago(2)).await;
        let id = r["id"].as_str().unwrap();
        let (status, _) = step(&w.trainer_b, id, "accepted", &days_ago(1), 1).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = step(&w.coord_a, id, "accepted", &days_ago(1), 1).await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn an_unanswered_referral_is_overdue_after_the_configured_days() {
    for database in TestDatabase::all().await {
        let config = Config {
            referrals: ReferralConfig {
                overdue_days: 3,
                notes: true,
            },
            ..Config::for_tests()
        };
        let app = TestApp::spawn(Arc::new(database), config).await;
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let on_time = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(3)).await;
        let late = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(4)).await;
        let answered = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(9)).await;
        let (status, _) = step(
            &w.trainer_b,
            answered["id"].as_str().unwrap(),
            "accepted",
            &days_ago(8),
            1,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(on_time["overdue"], false);
        assert_eq!(late["overdue"], true);
        // Both sides' coordinators see it.
        for (api, side) in [(&w.coord_a, "made"), (&w.coord_b, "received")] {
            let overdue = list(api, &format!("side={side}&overdue=true")).await;
            assert_eq!(overdue.len(), 1, "{side}");
            assert_eq!(overdue[0]["id"], late["id"]);
            assert_eq!(list(api, &format!("side={side}")).await.len(), 3);
        }
        // With notes switched on, a short routing note is kept and shown to both sides.
        let mut b = referral(&code, w.site_a, w.clinic, &days_ago(0));
        b["id"] = json!(new_id());
        b["note"] = json!("needs a female interpreter");
        let res = w.phone_a.api.post("/api/referrals", b).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(body(res).await["note"], "needs a female interpreter");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_referral_pushed_twice_is_stored_once() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        // Registered and referred in one batch, referral first: participants are applied first.
        let (_, registration) = w.phone_a.participant(w.site_a, "female", 2015);
        let code = registration["data"]["code"].as_str().unwrap().to_string();
        let id = new_id();
        let it = item(
            "referral",
            &id,
            0,
            referral(&code, w.site_a, w.legal_aid, &days_ago(1)),
        );
        let first = w.phone_a.push(&[it.clone(), registration.clone()]).await;
        assert_eq!(
            (first[0]["status"].as_str(), first[1]["status"].as_str()),
            (Some("stored"), Some("stored")),
            "{first:?}"
        );
        let again = w.phone_a.push(&[it.clone(), registration]).await;
        assert_eq!(again[0]["status"], "duplicate");
        assert_eq!(app.count("referrals").await, 1);
        assert_eq!(app.count("referral_steps").await, 1);
        assert_eq!(audited(&app, "referral.create").await, 1);
        // Still a duplicate after the status moved on the server.
        let (status, _) = step(&w.trainer_b, &id, "accepted", &days_ago(0), 1).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            w.phone_a.push(std::slice::from_ref(&it)).await[0]["status"],
            "duplicate"
        );
        // Not changed or deleted from the phone.
        let mut other = referral(&code, w.site_a, w.clinic, &days_ago(1));
        other["urgency"] = json!("routine");
        let edit = w.phone_a.push(&[item("referral", &id, 2, other)]).await;
        assert_eq!(edit[0]["status"], "invalid", "{edit:?}");
        let gone = w
            .phone_a
            .push(&[json!({ "type": "referral", "id": id, "base_version": 2, "deleted": true })])
            .await;
        assert_eq!(gone[0]["status"], "invalid", "{gone:?}");
        assert_eq!(app.count("referrals").await, 1);
        // The online way with the same id and content: stored once, answered 200.
        let mut online = referral(&code, w.site_a, w.legal_aid, &days_ago(1));
        online["id"] = json!(id);
        assert_eq!(
            w.phone_a.api.post("/api/referrals", online).await.status(),
            StatusCode::OK
        );
        // A note while notes are off (the default) is refused offline too.
        let mut noted = referral(&code, w.site_a, w.legal_aid, &days_ago(1));
        noted["note"] = json!("call first");
        let refused = w
            .phone_a
            .push(&[item("referral", &new_id(), 0, noted)])
            .await;
        assert_eq!(refused[0]["status"], "invalid");
        assert_eq!(refused[0]["errors"]["note"]["code"], "notes_off");
        assert_eq!(app.count("referrals").await, 1);
    })
    .await;
}

/// The figures of a fixture worked out by hand:
///
/// | referral | person | service | referred | accepted | received | declined |
/// |---|---|---|---|---|---|---|
/// | R1 | girl born 2016 (6-11) | legal aid (B) | −10 d | −8 d | −5 d | |
/// | R2 | woman born 1990 (25-59) | legal aid (B) | −6 d | −2 d | | |
/// | R3 | boy born 2016 (6-11) | clinic (outside) | −20 d | | | |
/// | R4 | the girl of R1 | clinic (outside) | −3 d | | | −1 d |
///
/// made 4, accepted 2, declined 1, completed 1, overdue 1 (R3: 20 > 14
/// days); median days to acceptance (2, 4) = 3, to service (5) = 5.
#[tokio::test]
async fn referral_figures_match_a_hand_computed_fixture_and_the_export_matches_them() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let girl = participant(&mut w.phone_a, w.site_a, "female", 2016).await;
        let woman = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        let boy = participant(&mut w.phone_a, w.site_a, "male", 2016).await;
        let api = w.phone_a.api.clone();
        let r1 = refer(&api, &girl, w.site_a, w.legal_aid, &days_ago(10)).await;
        let r2 = refer(&api, &woman, w.site_a, w.legal_aid, &days_ago(6)).await;
        refer(&api, &boy, w.site_a, w.clinic, &days_ago(20)).await;
        let r4 = refer(&api, &girl, w.site_a, w.clinic, &days_ago(3)).await;
        let id = |r: &Value| r["id"].as_str().unwrap().to_string();
        assert_eq!(
            step(&w.trainer_b, &id(&r1), "accepted", &days_ago(8), 1)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            step(&w.trainer_b, &id(&r1), "service_received", &days_ago(5), 2)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            step(&w.trainer_b, &id(&r2), "accepted", &days_ago(2), 1)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            step(&w.coord_a, &id(&r4), "declined", &days_ago(1), 1)
                .await
                .0,
            StatusCode::OK
        );

        let range = format!("from={}&to={}", days_ago(30), days_ago(0));
        let res = w
            .coord_a
            .get(&format!("/api/referrals/figures?{range}&group_by=category"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let f = body(res).await;
        let t = &f["totals"];
        assert_eq!(
            [
                &t["made"],
                &t["accepted"],
                &t["declined"],
                &t["completed"],
                &t["overdue"]
            ],
            [4, 2, 1, 1, 1].map(|n| json!(n)).each_ref()
        );
        assert_eq!(t["median_days_to_acceptance"], 3.0);
        assert_eq!(t["median_days_to_service"], 5.0);
        let groups = f["groups"].as_array().unwrap();
        let health = groups.iter().find(|g| g["key"] == "health").unwrap();
        let legal = groups.iter().find(|g| g["key"] == "legal_aid").unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (
                health["made"].as_i64(),
                health["accepted"].as_i64(),
                health["declined"].as_i64(),
                health["overdue"].as_i64()
            ),
            (Some(2), Some(0), Some(1), Some(1))
        );
        assert_eq!(health["median_days_to_acceptance"], Value::Null);
        assert_eq!(
            (
                legal["made"].as_i64(),
                legal["accepted"].as_i64(),
                legal["completed"].as_i64(),
                legal["overdue"].as_i64()
            ),
            (Some(2), Some(2), Some(1), Some(0))
        );
        assert_eq!(legal["median_days_to_acceptance"], 3.0);
        let person = |sex: &str, band: &str| -> Value {
            f["by_person"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["sex"] == sex && p["age_band"] == band)
                .map(|p| json!([p["made"], p["accepted"], p["completed"], p["overdue"]]))
                .unwrap_or(Value::Null)
        };
        assert_eq!(f["by_person"].as_array().unwrap().len(), 3);
        assert_eq!(person("female", "6-11"), json!([2, 1, 1, 0]));
        assert_eq!(person("female", "25-59"), json!([1, 1, 0, 0]));
        assert_eq!(person("male", "6-11"), json!([1, 0, 0, 1]));

        // By receiving organisation and by month: the same four referrals.
        let by_org = body(
            w.coord_a
                .get(&format!(
                    "/api/referrals/figures?{range}&group_by=organisation"
                ))
                .await,
        )
        .await;
        let mut orgs: Vec<(String, i64)> = by_org["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["label"].as_str().unwrap().to_string(),
                    g["made"].as_i64().unwrap(),
                )
            })
            .collect();
        orgs.sort();
        assert_eq!(
            orgs,
            [
                ("Outside clinic".to_string(), 2),
                ("Partner B services".to_string(), 2)
            ]
        );
        let by_month = body(
            w.coord_a
                .get(&format!("/api/referrals/figures?{range}&group_by=month"))
                .await,
        )
        .await;
        let months = by_month["groups"].as_array().unwrap();
        assert_eq!(
            months
                .iter()
                .map(|g| g["made"].as_i64().unwrap())
                .sum::<i64>(),
            4
        );
        assert!(months.iter().all(|g| g["key"].as_str().unwrap().len() == 7));
        // The receiving side counts what was addressed to it: the two legal-aid referrals.
        let received = body(
            w.coord_b
                .get(&format!("/api/referrals/figures?{range}&side=received"))
                .await,
        )
        .await;
        assert_eq!(received["totals"]["made"], 2);
        // A place holding none of the caller's sites answers 404.
        let elsewhere = w
            .coord_b
            .get(&format!(
                "/api/referrals/figures?{range}&site_id={}",
                w.site_a
            ))
            .await;
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
        let here = body(
            w.coord_a
                .get(&format!(
                    "/api/referrals/figures?{range}&governorate_id=15&group_by=governorate"
                ))
                .await,
        )
        .await;
        assert_eq!(here["totals"]["made"], 4);
        assert_eq!(
            here["groups"][0]["pcode"]
                .as_str()
                .map(|p| p.starts_with("IQG")),
            Some(true)
        );

        // The export carries the same numbers, with HXL hashtags, and no code.
        let res = w
            .coord_a
            .get(&format!(
                "/api/referrals/figures/export?{range}&group_by=category&hxl=true"
            ))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        assert!(
            !text.contains(&girl) && !text.contains(&boy),
            "no participant codes in an export"
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows[1][3], "#sector+name");
        assert_eq!(rows[1][5], "#indicator+referrals+made");
        let by_label = |label: &str| rows.iter().find(|r| r[3] == label).unwrap()[5..].to_vec();
        assert_eq!(by_label("health"), ["2", "0", "1", "0", "1", "", ""]);
        assert_eq!(by_label("legal_aid"), ["2", "2", "0", "1", "0", "3", "5"]);
        assert_eq!(by_label("All"), ["4", "2", "1", "1", "1", "3", "5"]);
        let res = w
            .coord_a
            .get(&format!(
                "/api/referrals/figures/export?{range}&table=person&hxl=true"
            ))
            .await;
        let text = res.text().await.unwrap();
        assert!(text.contains("#age+group"));
        assert!(text.contains("female,6-11,no,idp,2,1,1,0"), "{text}");
        let xlsx = w
            .coord_a
            .get(&format!(
                "/api/referrals/figures/export?{range}&format=xlsx"
            ))
            .await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        let workbook = xlsx.bytes().await.unwrap();
        assert_eq!(&workbook[..2], b"PK");
        // The workbook's last row (All) carries the same numbers as the API.
        let numbers = last_row_numbers(&workbook);
        assert_eq!(numbers, [4.0, 2.0, 1.0, 1.0, 1.0, 3.0, 5.0]);
        assert_eq!(audited(&app, "referral.export").await, 3);
        let bad = w
            .coord_a
            .get(&format!("/api/referrals/figures/export?{range}&format=pdf"))
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(audited(&app, "referral.export").await, 3);
    })
    .await;
}

#[tokio::test]
async fn two_people_moving_one_referral_at_once_one_wins_the_other_is_told() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        let code = participant(&mut w.phone_a, w.site_a, "female", 1990).await;
        for round in 0..4 {
            let r = refer(&w.phone_a.api, &code, w.site_a, w.legal_aid, &days_ago(1)).await;
            let id = r["id"].as_str().unwrap();
            let (to_a, to_b) = if round % 2 == 0 {
                ("accepted", "declined")
            } else {
                ("accepted", "accepted")
            };
            let today = days_ago(0);
            let (a, b) = tokio::join!(
                step(&w.trainer_b, id, to_a, &today, 1),
                step(&w.coord_b, id, to_b, &today, 1)
            );
            let mut statuses = [a.0, b.0];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::CONFLICT],
                "round {round}: {a:?} {b:?}"
            );
            let loser = if a.0 == StatusCode::CONFLICT {
                &a.1
            } else {
                &b.1
            };
            assert_eq!(loser["error"], "referral_changed");
            let stored = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM referral_steps WHERE referral_id = $1",
            )
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            assert_eq!(stored, 2, "one step besides the referral itself");
        }
    })
    .await;
}

#[tokio::test]
async fn the_directory_is_kept_by_its_keepers_and_reaches_the_phones_of_its_areas() {
    each_database(|app| async move {
        let w = world(&app).await;
        let partner_a = partner_of(&app, w.site_a).await;
        // A coordinator keeps only their own partner's entries; trainers none.
        let res = w.coord_b.post("/api/directory/organisations", json!({ "name": "Not theirs", "partner_id": partner_a })).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = w.coord_b.post("/api/directory/organisations", json!({ "name": "Outside" })).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let organisations_before = app.count("service_organisations").await;
        let res = w.admin.post("/api/directory/organisations", json!({ "name": "Nul\u{0}org" })).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = w.admin.post("/api/directory/organisations", json!({ "name": "Spoofed", "partner_id": 999_999 })).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = w.admin.post("/api/directory/services", json!({ "organisation_id": 1, "category": "health", "name": "X", "area_id": 999_999, "languages": ["ar"] })).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("service_organisations").await, organisations_before);
        let res = w.trainer_b.post("/api/directory/organisations", json!({ "name": "Mine" })).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = w.admin.post("/api/directory/organisations", json!({ "name": "Outside clinic" })).await;
        assert_eq!((res.status(), body(res).await["error"].as_str().map(String::from)), (StatusCode::CONFLICT, Some("organisation_exists".into())));
        let res = w.coord_b.patch(&format!("/api/directory/services/{}", w.clinic), json!({ "name": "Mine now" })).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = w.admin.post("/api/directory/services", json!({ "organisation_id": 1, "category": "counselling", "name": "X", "area_id": 15, "languages": ["ar"] })).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // A service elsewhere (governorate 9) does not concern a phone of governorate 15.
        let organisations = body(w.admin.get("/api/directory/organisations").await).await;
        let outside = organisations.as_array().unwrap().iter().find(|o| o["name"] == "Outside clinic").unwrap()["id"].as_i64().unwrap();
        let far = service(&w.admin, outside, "shelter", 9).await;
        let far_id = far.to_string();
        let listed = body(w.phone_a.api.get("/api/directory/services?area_id=15").await).await;
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert_eq!(listed[0]["languages"], json!(["ar", "ckb"]));

        let (changes, cursor) = pull_all(&w.phone_a.api, None, 500).await;
        let services: Vec<&Value> = changes.iter().filter(|c| c["entity"] == "service").collect();
        let live: Vec<i64> = services.iter().filter(|c| c["deleted"] == false).map(|c| c["data"]["id"].as_i64().unwrap()).collect();
        assert_eq!(live.len(), 2);
        assert!(live.contains(&w.legal_aid) && live.contains(&w.clinic));
        assert!(services.iter().any(|c| c["id"] == far_id.as_str() && c["deleted"] == true));
        // Deactivating a service takes it off the phones at their next pull.
        let res = w.coord_b.patch(&format!("/api/directory/services/{}", w.legal_aid), json!({ "active": false })).await;
        assert_eq!(res.status(), StatusCode::OK);
        let (changes, _) = pull_all(&w.phone_a.api, Some(&cursor), 500).await;
        let legal_aid_id = w.legal_aid.to_string();
        assert!(changes.iter().any(|c| c["entity"] == "service" && c["id"] == legal_aid_id.as_str() && c["deleted"] == true), "{changes:?}");
        // Mobilisers pull no directory.
        let mobiliser = app.user(&w.admin, "mob", "mobiliser", &[w.site_a]).await;
        let (changes, _) = pull_all(&mobiliser, None, 500).await;
        assert!(!changes.iter().any(|c| c["entity"] == "service"));
        assert_eq!(app.count_where("audit_log", "action", "directory.service.create").await, 3);
    })
    .await;
}

#[tokio::test]
async fn a_referral_follows_its_person_through_a_merge() {
    each_database(|app| async move {
        let mut w = world(&app).await;
        // Registered twice by mistake: a girl of 2016 and "a woman" of 1990.
        let (keep_id, keep) = w.phone_a.participant(w.site_a, "female", 2016);
        let (merge_id, twice) = w.phone_a.participant(w.site_a, "female", 1990);
        let twice_code = twice["data"]["code"].as_str().unwrap().to_string();
        let results = w.phone_a.push(&[keep, twice]).await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        let r = refer(
            &w.phone_a.api,
            &twice_code,
            w.site_a,
            w.legal_aid,
            &days_ago(1),
        )
        .await;
        assert_eq!(r["participant"]["age_band"], "25-59");
        let res = w
            .coord_a
            .post(
                "/api/participants/merge",
                json!({ "keep": keep_id, "merge": merge_id }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        // Read and counted as the survivor.
        let one = body(
            w.trainer_b
                .get(&format!("/api/referrals/{}", r["id"].as_str().unwrap()))
                .await,
        )
        .await;
        assert_eq!(one["participant"]["age_band"], "6-11");
        assert_ne!(one["participant"]["code"], twice_code);
        let range = format!("from={}&to={}", days_ago(30), days_ago(0));
        let f = body(
            w.coord_a
                .get(&format!("/api/referrals/figures?{range}"))
                .await,
        )
        .await;
        assert_eq!(f["by_person"][0]["age_band"], "6-11");
        // The merged-away code still refers her, as the survivor.
        let again = refer(
            &w.phone_a.api,
            &twice_code,
            w.site_a,
            w.clinic,
            &days_ago(0),
        )
        .await;
        assert_eq!(again["participant"]["code"], one["participant"]["code"]);
    })
    .await;
}

/// The numbers of a workbook's last row (the "All" row), read back with
/// calamine as the other export tests read workbooks.
fn last_row_numbers(workbook: &[u8]) -> Vec<f64> {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(workbook.to_vec())).expect("a readable workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("a readable sheet");
    let last = range.rows().next_back().expect("a last row");
    last.iter()
        .filter_map(|cell| match cell {
            Data::Float(f) => Some(*f),
            Data::Int(n) => Some(*n as f64),
            _ => None,
        })
        .collect()
}

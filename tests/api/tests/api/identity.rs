//! One person, one participant, across every site (issue 10): found by the
//! code on her card anywhere in the programme, recorded at another site
//! online and offline, counted once at every level above the sites, and
//! known to the other site only by her minimal form.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::participants::code;
use sijil_e2e::field::{activity_type, group, item, new_id, pull_all, session, today, Phone};
use sijil_e2e::{body, each_database, Api, TestApp};

/// A district D with two sites A and B of one partner, and a third site C
/// of another partner elsewhere.
struct World {
    admin: Api,
    district: i64,
    governorate: i64,
    partner: i64,
    a: i64,
    b: i64,
    c: i64,
}

async fn area_id(admin: &Api, pcode: &str) -> i64 {
    let areas = body(admin.get("/api/areas").await).await;
    areas
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["pcode"] == pcode)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn created(res: reqwest::Response) -> i64 {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let governorate = area_id(&admin, "IQG08").await;
    let district = created(admin.post("/api/areas", json!({ "level": 2, "parent_id": governorate, "pcode": "IQD0801", "name_en": "Sumel", "name_ar": "سميل", "name_ckb": "سێمێل" })).await).await;
    let partner = created(
        admin
            .post("/api/partners", json!({ "name": "Duhok CFS partner" }))
            .await,
    )
    .await;
    let other = created(
        admin
            .post("/api/partners", json!({ "name": "Basra partner" }))
            .await,
    )
    .await;
    let site = |code: &'static str, partner: i64, area: i64| {
        let admin = admin.clone();
        async move {
            created(admin.post("/api/sites", json!({ "code": code, "name": format!("CFS {code}"), "kind": "child_friendly_space", "partner_id": partner, "area_id": area })).await).await
        }
    };
    let a = site("CFS-A", partner, district).await;
    let b = site("CFS-B", partner, district).await;
    let basra = area_id(&admin, "IQG02").await;
    let c = site("CFS-C", other, basra).await;
    World {
        admin,
        district,
        governorate,
        partner,
        a,
        b,
        c,
    }
}

/// A CFS day at `site` on `date` with these ids and codes present.
fn cfs_day(cfs: i64, site: i64, date: &str, ids: &[&str], codes: &[&str]) -> Value {
    json!({ "kind": "cfs_day", "activity_type_id": cfs, "site_id": site, "date": date, "duration_minutes": 180,
        "attendance": ids, "attendance_codes": codes })
}

/// Amira, 10, registered at A with her given name and the Washington Group answers.
fn amira(phone: &mut Phone, site: i64) -> (String, String, Value) {
    let (id, mut it) = phone.participant(site, "female", 2016);
    it["data"]["given_name"] = json!("Amira");
    it["data"]["disability"] = json!("wg");
    it["data"]["wg"] = json!({ "seeing": 1, "hearing": 1, "walking": 3, "remembering": 1, "selfcare": 2, "communicating": 1 });
    let code = it["data"]["code"].as_str().unwrap().to_string();
    (id, code, it)
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

async fn unique(api: &Api, scope: &str) -> i64 {
    let res = api
        .get(&format!(
            "/api/figures?scope={scope}&from={}&to={}",
            today(),
            today()
        ))
        .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{scope}: {text}");
    serde_json::from_str::<Value>(&text).unwrap()["figures"]["totals"]["unique_participants"]
        .as_i64()
        .unwrap()
}

/// Every body site B's trainer received, as text, for the leak check.
struct Received(Vec<String>);

impl Received {
    async fn keep(&mut self, res: reqwest::Response) -> Value {
        let text = res.text().await.unwrap();
        self.0.push(text.clone());
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn assert_never(&self, what: &str, why: &str) {
        for text in &self.0 {
            assert!(!text.contains(what), "{why}: {what:?} in {text}");
        }
    }
}

#[tokio::test]
async fn a_child_of_one_site_is_recorded_at_another_by_code_and_counted_once_above_them() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let pss = activity_type(&w.admin, "PSS").await;
        let mut at_a = Phone::new(app.user(&w.admin, "trainer-a", "trainer", &[w.a]).await).await;
        let online = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let offline = Phone::new(app.user(&w.admin, "trainer-b2", "trainer", &[w.b]).await).await;
        let coordinator = app.user(&w.admin, "coord", "coordinator", &[w.a, w.b]).await;

        // Registered at A, in a group there, present at A today.
        let (amira_id, amira_code, registration) = amira(&mut at_a, w.a);
        let group_id = new_id();
        let at_a_results = at_a
            .push(&[
                registration,
                item("group", &group_id, 0, group(w.a, pss, std::slice::from_ref(&amira_id))),
                item("record", &new_id(), 0, session(w.a, pss, &group_id, std::slice::from_ref(&amira_id))),
            ])
            .await;
        assert_eq!(statuses(&at_a_results), ["stored"; 3]);

        let mut received = Received(vec![]);
        // Before anyone at B met her, her id means nothing there.
        let res = online
            .api
            .post("/api/sync/push", json!({ "items": [item("record", &new_id(), 0, cfs_day(cfs, w.b, &today(), &[&amira_id], &[]))] }))
            .await;
        let refused = received.keep(res).await;
        assert_eq!(refused["results"][0]["status"], "invalid", "{refused}");

        // Online at B: the code on her card finds her minimal form.
        let typed = amira_code.to_lowercase().replace('-', " ");
        let res = online.api.get(&format!("/api/participants/code/{typed}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let found = received.keep(res).await;
        assert_eq!(found["id"], amira_id.as_str());
        assert_eq!(found["sex"], "female");
        assert_eq!(found["age_band"], "6-11");
        assert_eq!(found["has_disability"], true);
        assert_eq!(found["displacement"], "idp");
        // A misread card, and a code nobody has.
        let mut misread = code::normalise(&amira_code).unwrap().into_bytes();
        misread[6] = if misread[6] == b'X' { b'Y' } else { b'X' };
        let res = online.api.get(&format!("/api/participants/code/{}", String::from_utf8(misread).unwrap())).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(received.keep(res).await["error"], "invalid_code");
        let nobody = code::code_for(&at_a.prefix, 999).unwrap();
        let res = online.api.get(&format!("/api/participants/code/{nobody}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        received.keep(res).await;
        // Mobilisers hold nobody.
        let mobiliser = app.user(&w.admin, "mob-b", "mobiliser", &[w.b]).await;
        let res = mobiliser.get(&format!("/api/participants/code/{amira_code}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Online: the phone records her by the id the lookup showed it.
        let online_day = new_id();
        let res = online
            .api
            .post("/api/sync/push", json!({ "items": [item("record", &online_day, 0, cfs_day(cfs, w.b, &today(), &[&amira_id], &[]))] }))
            .await;
        let pushed = received.keep(res).await;
        assert_eq!(pushed["results"][0]["status"], "stored", "{pushed}");

        // Offline on another phone at B: only the typed code, resolved on sync.
        let offline_session_group = new_id();
        let offline_items = vec![
            item("group", &offline_session_group, 0, group(w.b, pss, &[])),
            item("record", &new_id(), 0, {
                let mut s = session(w.b, pss, &offline_session_group, &[]);
                s["attendance_codes"] = json!([typed]);
                s
            }),
        ];
        let res = offline.api.post("/api/sync/push", json!({ "items": offline_items })).await;
        let pushed = received.keep(res).await;
        assert_eq!(statuses(pushed["results"].as_array().unwrap()), ["stored", "stored"], "{pushed}");
        // The same batch again is a resend, not a second presence.
        let res = offline.api.post("/api/sync/push", json!({ "items": offline_items })).await;
        let again = received.keep(res).await;
        assert_eq!(statuses(again["results"].as_array().unwrap()), ["duplicate", "duplicate"], "{again}");
        // A code nobody has is refused by name; the batch goes on.
        let mut unknown_day = cfs_day(cfs, w.b, &today(), &[], &[&code::display(&nobody)]);
        unknown_day["duration_minutes"] = json!(60);
        let res = offline.api.post("/api/sync/push", json!({ "items": [item("record", &new_id(), 0, unknown_day)] })).await;
        let refused = received.keep(res).await;
        assert_eq!(refused["results"][0]["status"], "invalid");
        assert!(refused["results"][0]["errors"]["attendance_codes"].as_str().unwrap().contains(&code::display(&nobody)));

        // Stored by id, pulled back by id with no codes; B's phones hold her
        // minimal form as a visitor, A's phones the full registration.
        let stored: Vec<String> = sqlx::query_scalar("SELECT participant_id FROM attendances WHERE participant_id = $1")
            .bind(&amira_id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        assert_eq!(stored.len(), 3, "one presence at A, two at B");
        for phone in [&online, &offline] {
            let mut cursor: Option<String> = None;
            let mut changes = vec![];
            loop {
                let path = match &cursor {
                    Some(c) => format!("/api/sync/pull?limit=2&cursor={c}"),
                    None => "/api/sync/pull?limit=2".to_string(),
                };
                let page = received.keep(phone.api.get(&path).await).await;
                changes.extend(page["changes"].as_array().unwrap().iter().cloned());
                cursor = Some(page["cursor"].as_str().unwrap().to_string());
                if !page["more"].as_bool().unwrap() {
                    break;
                }
            }
            let visitor = changes
                .iter()
                .find(|c| c["entity"] == "visitor")
                .expect("a visitor reached B's phone");
            assert_eq!(visitor["id"], format!("{amira_id}@{}", w.b));
            assert_eq!(visitor["data"]["participant_id"], amira_id.as_str());
            assert_eq!(visitor["data"]["code"], code::normalise(&amira_code).unwrap());
            assert_eq!(visitor["data"]["site_id"], w.b);
            assert_eq!(visitor["data"]["age_band"], "6-11");
            assert!(changes.iter().all(|c| c["entity"] != "participant"), "no registration of A reaches B");
            let record = changes.iter().find(|c| c["entity"] == "record").unwrap();
            assert!(record["data"].get("attendance_codes").is_none());
            assert_eq!(record["data"]["attendance"], json!([amira_id]));
        }
        let (at_a_changes, _) = pull_all(&at_a.api, None, 500).await;
        assert!(at_a_changes.iter().any(|c| c["entity"] == "participant" && c["data"]["given_name"] == "Amira"));
        assert!(at_a_changes.iter().all(|c| c["entity"] != "visitor"), "at home she is no visitor");

        // B's search finds her by code, never by name.
        let res = online.api.get(&format!("/api/participants?q={}", &amira_code[..5])).await;
        let hits = received.keep(res).await;
        assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
        assert_eq!(hits[0]["visitor"], true);
        assert_eq!(hits[0]["site_id"], w.b);
        let res = online.api.get("/api/participants?q=amira").await;
        assert_eq!(received.keep(res).await, json!([]));

        // Her name, birth year and answers never reached B.
        received.assert_never("Amira", "given name");
        received.assert_never("amira", "given name");
        received.assert_never("birth_year", "birth year");
        received.assert_never("registered_on", "registration");
        received.assert_never("walking", "Washington Group answers");
        received.assert_never("selfcare", "Washington Group answers");

        // The figures: once at each site, once above them.
        assert_eq!(unique(&coordinator, &format!("site:{}", w.a)).await, 1);
        assert_eq!(unique(&coordinator, &format!("site:{}", w.b)).await, 1);
        assert_eq!(unique(&coordinator, &format!("district:{}", w.district)).await, 1);
        assert_eq!(unique(&coordinator, &format!("governorate:{}", w.governorate)).await, 1);
        assert_eq!(unique(&coordinator, &format!("partner:{}", w.partner)).await, 1);
        assert_eq!(unique(&w.admin, "programme").await, 1);
        let res = w.admin.get(&format!("/api/figures?scope=district:{}&from={}&to={}&group=site", w.district, today(), today())).await;
        let by_site = body(res).await;
        let per_site: Vec<i64> = by_site["groups"].as_array().unwrap().iter().map(|g| g["totals"]["unique_participants"].as_i64().unwrap()).collect();
        assert_eq!(per_site, [1, 1], "{by_site}");

        // Each lookup is in the audit log, with who and which code.
        let lookups = app.count_where("audit_log", "action", "participant.lookup").await;
        assert_eq!(lookups, 2, "the one found and the one not found");
        let _ = w.c;
    })
    .await;
}

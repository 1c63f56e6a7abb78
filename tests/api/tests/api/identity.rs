//! One person, one participant, across every site (issue 10): found by the
//! code on her card anywhere in the programme, recorded at another site
//! online and offline, counted once at every level above the sites, and
//! known to the other site only by her minimal form.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::participants::code;
use sijil_e2e::field::{
    activity_type, deletion, group, item, new_id, pull_all, session, today, Phone,
};
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
        assert_eq!(
            refused["results"][0]["errors"]["attendance_codes"],
            json!({ "code": "unknown_codes", "values": [code::display(&nobody)] })
        );

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

        // B puts her on a roster there, by the id it now knows.
        let b_group = new_id();
        let res = online.api.post("/api/sync/push", json!({ "items": [item("group", &b_group, 0, group(w.b, pss, std::slice::from_ref(&amira_id)))] })).await;
        let pushed = received.keep(res).await;
        assert_eq!(pushed["results"][0]["status"], "stored", "{pushed}");
        // A corrects her registration: B's phones hear of her minimal form again.
        let (_, cursor) = pull_all(&online.api, None, 500).await;
        let mut corrected = at_a_changes.iter().find(|c| c["id"] == amira_id.as_str()).unwrap()["data"].clone();
        corrected["displacement"] = json!("returnee");
        assert_eq!(at_a.push(&[item("participant", &amira_id, 1, corrected)]).await[0]["status"], "stored");
        let page = received.keep(online.api.get(&format!("/api/sync/pull?cursor={cursor}")).await).await;
        let again: Vec<&Value> = page["changes"].as_array().unwrap().iter().filter(|c| c["entity"] == "visitor").collect();
        assert_eq!(again.len(), 1, "{page}");
        assert_eq!(again[0]["data"]["displacement"], "returnee");

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

        // B's coordinator sees her at B's record by code and age band only.
        let coordinator_of_b = app.user(&w.admin, "coord-b", "coordinator", &[w.b]).await;
        let res = coordinator_of_b.get(&format!("/api/records/{online_day}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let detail = received.keep(res).await;
        let seen = &detail["attendance"][0];
        assert_eq!(seen["code"], amira_code.as_str());
        assert_eq!(seen["visitor"], true);
        assert_eq!(seen["age_band"], "6-11");
        received.assert_never("birth_year", "birth year");
        received.assert_never("Amira", "given name");
        // At home her coordinator sees her birth year as before.
        let at_home = body(coordinator.get(&format!("/api/records/{online_day}")).await).await;
        assert_eq!(at_home["attendance"][0]["birth_year"], 2016);

        // Each lookup is in the audit log, with who and which code.
        let lookups = app.count_where("audit_log", "action", "participant.lookup").await;
        assert_eq!(lookups, 2, "the one found and the one not found");
        let _ = w.c;
    })
    .await;
}

/// Every figure the engine computes, with the rollups and from the records
/// themselves, must agree; and the incremental rollups must equal a rebuild.
async fn rollups_agree_with_a_full_scan(app: &TestApp) {
    use sijil::figures::engine;
    use sijil::figures::model::{Filter, Grouping};
    use sijil::figures::period::Period;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let period = Period::from_range(&today(), &today()).unwrap();
    let month = Period::from_range(&format!("{}-01", &today()[..7]), &today()).unwrap();
    for period in [period, month] {
        for grouping in [
            Grouping::All,
            Grouping::Site,
            Grouping::District,
            Grouping::Governorate,
            Grouping::Partner,
            Grouping::Month,
            Grouping::Week,
            Grouping::Type,
            Grouping::Kind,
        ] {
            for include_flagged in [true, false] {
                let mut filter = Filter {
                    sites: None,
                    types: None,
                    include_flagged,
                    use_rollups: true,
                };
                let fast = engine::compute(&mut conn, period, &filter, grouping)
                    .await
                    .unwrap();
                filter.use_rollups = false;
                let naive = engine::compute(&mut conn, period, &filter, grouping)
                    .await
                    .unwrap();
                assert_eq!(fast, naive, "{grouping:?} flagged={include_flagged}");
            }
        }
    }
    let read = "SELECT month, site_id, activity_type_id, participant_id, attendances, unflagged, sex, birth_year FROM presence_months ORDER BY 1, 2, 3, 4";
    type Row = (String, i64, i64, String, i64, i64, String, i64);
    let before: Vec<Row> = sqlx::query_as(read).fetch_all(&mut *conn).await.unwrap();
    let sets_before = sijil_e2e::presence_sets(&mut conn).await;
    let firsts = "SELECT participant_id, activity_type_id, unflagged, first_on, site_id FROM first_presences ORDER BY 1, 2, 3";
    type First = (String, i64, i64, String, i64);
    let firsts_before: Vec<First> = sqlx::query_as(firsts).fetch_all(&mut *conn).await.unwrap();
    sijil::rollups::store::rebuild(&mut conn).await.unwrap();
    let after: Vec<Row> = sqlx::query_as(read).fetch_all(&mut *conn).await.unwrap();
    assert_eq!(before, after);
    // Each person's first presence per type, after merges moved presences.
    let firsts_after: Vec<First> = sqlx::query_as(firsts).fetch_all(&mut *conn).await.unwrap();
    assert_eq!(firsts_before, firsts_after);
    // The presence sets too: members, counts and attributes.
    assert_eq!(sets_before, sijil_e2e::presence_sets(&mut conn).await);
}

async fn totals(api: &Api, scope: &str) -> (i64, i64) {
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
    let t = &serde_json::from_str::<Value>(&text).unwrap()["figures"]["totals"];
    (
        t["unique_participants"].as_i64().unwrap(),
        t["attendances"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_child_recorded_by_code_is_known_by_id_to_the_next_record_of_the_same_push() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let mut at_a = Phone::new(app.user(&w.admin, "trainer-a", "trainer", &[w.a]).await).await;
        let at_b = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let (amira_id, amira_code, registration) = amira(&mut at_a, w.a);
        assert_eq!(statuses(&at_a.push(&[registration]).await), ["stored"]);

        // At B, nobody has met her: the first CFS day names her by the
        // code on her card, the next one (as a phone that learnt her id
        // would) by her id. The second is known through the first's
        // attendance, written earlier in the same push.
        let yesterday = sijil::validate::dates::format(
            sijil::validate::dates::today() - time::Duration::days(1),
        );
        let by_code = new_id();
        let by_id = new_id();
        let results = at_b
            .push(&[
                item("record", &by_code, 0, cfs_day(cfs, w.b, &yesterday, &[], &[&amira_code])),
                item("record", &by_id, 0, cfs_day(cfs, w.b, &today(), &[&amira_id], &[])),
            ])
            .await;
        assert_eq!(statuses(&results), ["stored", "stored"], "{results:?}");
        let present: Vec<String> = sqlx::query_scalar(
            "SELECT record_id FROM attendances WHERE participant_id = $1 AND record_id IN ($2, $3) ORDER BY record_id",
        )
        .bind(&amira_id)
        .bind(&by_code)
        .bind(&by_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        let mut expected = vec![by_code.clone(), by_id.clone()];
        expected.sort();
        assert_eq!(present, expected);
        rollups_agree_with_a_full_scan(&app).await;
    })
    .await;
}

#[tokio::test]
async fn two_registrations_of_one_girl_merge_into_one_and_the_old_id_and_code_land_on_her() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let pss = activity_type(&w.admin, "PSS").await;
        let mut at_a = Phone::new(app.user(&w.admin, "trainer-a", "trainer", &[w.a]).await).await;
        let mut at_b = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let coordinator = app
            .user(&w.admin, "coord", "coordinator", &[w.a, w.b])
            .await;
        let coordinator_of_a = app.user(&w.admin, "coord-a", "coordinator", &[w.a]).await;

        // Huda registered at A, and again at B as "Hoda" a year off; each
        // registration present at two records of its site.
        let (huda, mut reg_a) = at_a.participant(w.a, "female", 2015);
        reg_a["data"]["given_name"] = json!("Huda");
        let (hoda, mut reg_b) = at_b.participant(w.b, "female", 2016);
        reg_b["data"]["given_name"] = json!("Hoda");
        let hoda_code = reg_b["data"]["code"].as_str().unwrap().to_string();
        let (other, mut reg_other) = at_b.participant(w.b, "female", 2015);
        reg_other["data"]["given_name"] = json!("Nour");
        let group_b = new_id();
        let b_session = new_id();
        let b_day = new_id();
        assert_eq!(
            statuses(
                &at_a
                    .push(&[
                        reg_a,
                        item(
                            "record",
                            &new_id(),
                            0,
                            cfs_day(cfs, w.a, &today(), &[&huda], &[])
                        ),
                    ])
                    .await
            ),
            ["stored"; 2]
        );
        let a_session = new_id();
        let group_a = new_id();
        assert_eq!(
            statuses(
                &at_a
                    .push(&[
                        item(
                            "group",
                            &group_a,
                            0,
                            group(w.a, pss, std::slice::from_ref(&huda))
                        ),
                        item(
                            "record",
                            &a_session,
                            0,
                            session(w.a, pss, &group_a, std::slice::from_ref(&huda))
                        ),
                    ])
                    .await
            ),
            ["stored"; 2]
        );
        assert_eq!(
            statuses(
                &at_b
                    .push(&[
                        reg_b,
                        reg_other,
                        item(
                            "group",
                            &group_b,
                            0,
                            group(w.b, pss, &[hoda.clone(), other.clone()])
                        ),
                        item(
                            "record",
                            &b_session,
                            0,
                            session(w.b, pss, &group_b, &[hoda.clone(), other.clone()])
                        ),
                        item(
                            "record",
                            &b_day,
                            0,
                            cfs_day(cfs, w.b, &today(), &[&hoda], &[])
                        ),
                    ])
                    .await
            ),
            ["stored"; 5]
        );

        let district = format!("district:{}", w.district);
        let programme = "programme".to_string();
        let partner = format!("partner:{}", w.partner);
        let (site_a, site_b) = (format!("site:{}", w.a), format!("site:{}", w.b));
        let mut before = vec![];
        for scope in [&site_a, &site_b, &district, &partner, &programme] {
            before.push(totals(&w.admin, scope).await);
        }
        assert_eq!(before, [(1, 2), (2, 3), (3, 5), (3, 5), (3, 5)]);

        // The coordinator of both sites sees the likely duplicate (codes, no names).
        let res = coordinator.get("/api/participants/duplicates").await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        assert!(!text.contains("Huda") && !text.contains("Hoda"), "{text}");
        let pairs: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(pairs.as_array().unwrap().len(), 1, "{pairs}");
        let pair = [
            pairs[0]["a"]["id"].as_str().unwrap(),
            pairs[0]["b"]["id"].as_str().unwrap(),
        ];
        assert!(
            pair.contains(&huda.as_str()) && pair.contains(&hoda.as_str()),
            "{pairs}"
        );
        assert!(pairs[0]["reason"]
            .as_str()
            .unwrap()
            .contains("same partner"));
        assert_eq!(
            body(coordinator_of_a.get("/api/participants/duplicates").await).await,
            json!([])
        );
        assert_eq!(
            at_a.api.get("/api/participants/duplicates").await.status(),
            StatusCode::FORBIDDEN
        );

        // Only with both sites in scope; never into herself; trainers not at all.
        let ask = json!({ "keep": huda, "merge": hoda });
        assert_eq!(
            coordinator_of_a
                .post("/api/participants/merge", ask.clone())
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            at_a.api
                .post("/api/participants/merge", ask.clone())
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        let res = coordinator
            .post(
                "/api/participants/merge",
                json!({ "keep": huda, "merge": huda }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.count_where("audit_log", "action", "participant.merge")
                .await,
            0
        );

        let res = coordinator
            .post("/api/participants/merge", ask.clone())
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let merged = body(res).await;
        assert_eq!(merged["records"], 2);
        assert_eq!(merged["attendances_moved"], 2);
        assert_eq!(merged["groups"], 1);
        // Merged already: nothing left to merge.
        assert_eq!(
            coordinator
                .post("/api/participants/merge", ask)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // One fewer unique participant wherever both were counted; every attendance kept.
        let mut after = vec![];
        for scope in [&site_a, &site_b, &district, &partner, &programme] {
            after.push(totals(&w.admin, scope).await);
        }
        assert_eq!(after, [(1, 2), (2, 3), (2, 5), (2, 5), (2, 5)]);
        rollups_agree_with_a_full_scan(&app).await;
        assert_eq!(
            body(coordinator.get("/api/participants/duplicates").await).await,
            json!([])
        );

        // The phones hear of it: B's drops Hoda for Huda (whom it knows as a
        // visitor now), its records and roster name Huda.
        let (changes, cursor) = pull_all(&at_b.api, None, 500).await;
        let gone = changes
            .iter()
            .find(|c| c["entity"] == "participant" && c["id"] == hoda.as_str())
            .unwrap();
        assert_eq!(gone["deleted"], true);
        assert_eq!(gone["merged_into"], huda.as_str());
        let visitor = changes.iter().find(|c| c["entity"] == "visitor").unwrap();
        assert_eq!(visitor["data"]["participant_id"], huda.as_str());
        assert!(visitor.to_string().find("Huda").is_none());
        let roster = changes
            .iter()
            .find(|c| c["entity"] == "group" && c["id"] == group_b.as_str())
            .unwrap();
        let members: Vec<&str> = roster["data"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["participant_id"].as_str().unwrap())
            .collect();
        assert!(members.contains(&huda.as_str()) && !members.contains(&hoda.as_str()));
        let day = changes.iter().find(|c| c["id"] == b_day.as_str()).unwrap();
        assert_eq!(day["data"]["attendance"], json!([huda]));

        // An outbox item queued offline before the merge, by the old id, and
        // another by the old code, land on Huda.
        let by_old_id = new_id();
        let by_old_code = new_id();
        let mut late_day = cfs_day(cfs, w.b, &today(), &[&hoda], &[]);
        late_day["duration_minutes"] = json!(120);
        let mut coded_day = cfs_day(cfs, w.b, &today(), &[], &[&hoda_code]);
        coded_day["duration_minutes"] = json!(150);
        let results = at_b
            .push(&[
                item("record", &by_old_id, 0, late_day),
                item("record", &by_old_code, 0, coded_day),
            ])
            .await;
        assert_eq!(statuses(&results), ["stored", "stored"], "{results:?}");
        for record in [&by_old_id, &by_old_code] {
            assert_eq!(app.count_where("attendances", "record_id", record).await, 1);
            let who: String =
                sqlx::query_scalar("SELECT participant_id FROM attendances WHERE record_id = $1")
                    .bind(record)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            assert_eq!(who, huda);
        }
        // An edit of the old session queued against its version, still naming Hoda.
        let mut edited = session(w.b, pss, &group_b, &[hoda.clone(), other.clone()]);
        edited["topic"] = json!("Drawing feelings");
        assert_eq!(
            at_b.push(&[item("record", &b_session, 1, edited)]).await[0]["status"],
            "stored"
        );
        // The lookup of her old card answers Huda.
        let found = body(
            at_b.api
                .get(&format!("/api/participants/code/{hoda_code}"))
                .await,
        )
        .await;
        assert_eq!(found["id"], huda.as_str());
        // The (unchanged) pull after all that is consistent too.
        let (later, _) = pull_all(&at_b.api, Some(&cursor), 500).await;
        assert!(later
            .iter()
            .all(|c| !c.to_string().contains(&hoda) || c["id"] == hoda.as_str()));

        assert_eq!(totals(&w.admin, &programme).await, (2, 7));
        rollups_agree_with_a_full_scan(&app).await;

        // And it is in the audit log: who, which two.
        let log = body(w.admin.get("/api/audit?action=participant.merge").await).await;
        let entry = &log["entries"][0];
        assert_eq!(entry["login"], "coord");
        assert_eq!(entry["detail"]["keep"], huda.as_str());
        assert_eq!(entry["detail"]["merge"], hoda.as_str());
        assert_eq!(
            entry["detail"]["merge_code"],
            code::normalise(&hoda_code).unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn two_phones_checking_children_in_at_one_cfs_on_one_day_make_one_record() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let mut first = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let second = Phone::new(app.user(&w.admin, "trainer-b2", "trainer", &[w.b]).await).await;
        let mut children = vec![];
        let mut registrations = vec![];
        for born in [2014, 2015, 2016, 2017] {
            let (id, it) = first.participant(w.b, "male", born);
            children.push(id);
            registrations.push(it);
        }
        assert_eq!(statuses(&first.push(&registrations).await), ["stored"; 4]);
        let [x, y, z, v] = [&children[0], &children[1], &children[2], &children[3]];
        let date = today();
        let id = sijil::records::model::cfs_day_id(w.b, &date);

        // Both offline, both new (base version 0): one record, the union.
        let one = item("record", &id, 0, cfs_day(cfs, w.b, &date, &[x, y], &[]));
        let two = item("record", &id, 0, cfs_day(cfs, w.b, &date, &[y, z], &[]));
        assert_eq!(
            first.push(std::slice::from_ref(&one)).await[0]["status"],
            "stored"
        );
        let joined = second.push(std::slice::from_ref(&two)).await;
        assert_eq!(joined[0]["status"], "stored", "{joined:?}");
        assert_eq!(joined[0]["version"], 2);
        // The same again from either phone changes nothing.
        assert_eq!(
            second.push(std::slice::from_ref(&two)).await[0]["status"],
            "duplicate"
        );
        assert_eq!(
            first.push(std::slice::from_ref(&one)).await[0]["status"],
            "duplicate"
        );
        // The first phone, still at version 1, checks one more child in.
        let more = item("record", &id, 1, cfs_day(cfs, w.b, &date, &[x, v], &[]));
        assert_eq!(first.push(&[more]).await[0]["status"], "stored");

        assert_eq!(app.count_where("activity_records", "id", &id).await, 1);
        assert_eq!(app.count_where("attendances", "record_id", &id).await, 4);
        let (changes, _) = pull_all(&first.api, None, 500).await;
        let day = changes.iter().find(|c| c["id"] == id.as_str()).unwrap();
        let mut all = vec![x.clone(), y.clone(), z.clone(), v.clone()];
        all.sort();
        assert_eq!(day["data"]["attendance"], json!(all));
        assert_eq!(totals(&w.admin, &format!("site:{}", w.b)).await, (4, 4));
        rollups_agree_with_a_full_scan(&app).await;

        // Its recorder, up to date, takes off a child ticked by mistake.
        let version = day["version"].as_i64().unwrap();
        let fixed = item(
            "record",
            &id,
            version,
            cfs_day(cfs, w.b, &date, &[x, y, z], &[]),
        );
        assert_eq!(first.push(&[fixed]).await[0]["status"], "stored");
        assert_eq!(app.count_where("attendances", "record_id", &id).await, 3);
        rollups_agree_with_a_full_scan(&app).await;
        // The other phone adds to the day, but does not delete it.
        let refused = second.push(&[deletion("record", &id, version + 1)]).await;
        assert_eq!(refused[0]["status"], "invalid", "{refused:?}");
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM activity_records WHERE id = $1 AND deleted = 0",
        )
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(live, 1);
    })
    .await;
}

#[tokio::test]
async fn a_record_entered_long_after_it_happened_is_a_late_entry() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let mut phone = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let coordinator = app.user(&w.admin, "coord", "coordinator", &[w.b]).await;
        let (child, reg) = phone.participant(w.b, "female", 2016);
        let today = sijil::validate::dates::today();
        let days_ago = |n: i64| sijil::validate::dates::format(today - time::Duration::days(n));
        let (late, on_time, edge) = (days_ago(10), days_ago(1), days_ago(7));
        let items = vec![
            reg,
            item(
                "record",
                &sijil::records::model::cfs_day_id(w.b, &late),
                0,
                cfs_day(cfs, w.b, &late, &[&child], &[]),
            ),
            item(
                "record",
                &sijil::records::model::cfs_day_id(w.b, &on_time),
                0,
                cfs_day(cfs, w.b, &on_time, &[&child], &[]),
            ),
            item(
                "record",
                &sijil::records::model::cfs_day_id(w.b, &edge),
                0,
                cfs_day(cfs, w.b, &edge, &[&child], &[]),
            ),
        ];
        assert_eq!(statuses(&phone.push(&items).await), ["stored"; 4]);
        let list = body(
            coordinator
                .get(&format!("/api/records?from={}", days_ago(30)))
                .await,
        )
        .await;
        let late_by_date: Vec<(String, bool)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["date"].as_str().unwrap().to_string(),
                    r["late_entry"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            late_by_date,
            [
                (on_time, false),
                (edge.clone(), false),
                (late.clone(), true)
            ]
        );
        let detail = body(
            coordinator
                .get(&format!(
                    "/api/records/{}",
                    sijil::records::model::cfs_day_id(w.b, &late)
                ))
                .await,
        )
        .await;
        assert_eq!(detail["late_entry"], true, "{detail}");
    })
    .await;
}

#[tokio::test]
async fn the_washington_group_set_is_refused_under_five_and_a_caregivers_answers_are_marked() {
    each_database(|app| async move {
        let w = world(&app).await;
        let mut phone = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let year = sijil::validate::dates::today().year() as i64;
        let wg = json!({ "seeing": 1, "hearing": 1, "walking": 1, "remembering": 1, "selfcare": 1, "communicating": 1 });
        let (toddler, mut too_young) = phone.participant(w.b, "female", year - 3);
        too_young["data"]["disability"] = json!("wg");
        too_young["data"]["wg"] = wg.clone();
        let (child, mut by_caregiver) = phone.participant(w.b, "male", year - 6);
        by_caregiver["data"]["disability"] = json!("wg");
        by_caregiver["data"]["wg"] = wg.clone();
        by_caregiver["data"]["wg_by_caregiver"] = json!(true);
        let (_, mut plain) = phone.participant(w.b, "female", year - 3);
        plain["data"]["disability"] = json!("yes");
        let results = phone.push(&[too_young, by_caregiver, plain]).await;
        assert_eq!(statuses(&results), ["invalid", "stored", "stored"], "{results:?}");
        assert_eq!(results[0]["errors"]["wg"], json!({ "code": "wg_too_young", "min": 5 }));
        assert_eq!(app.count_where("participants", "id", &toddler).await, 0);
        let (changes, _) = pull_all(&phone.api, None, 500).await;
        let pulled = changes.iter().find(|c| c["id"] == child.as_str()).unwrap();
        assert_eq!(pulled["data"]["wg_by_caregiver"], true);
        let stored: i64 = sqlx::query_scalar("SELECT wg_by_caregiver FROM participants WHERE id = $1")
            .bind(&child)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 1);
    })
    .await;
}

#[tokio::test]
async fn a_figures_place_holding_none_of_the_callers_sites_is_not_found() {
    each_database(|app| async move {
        let w = world(&app).await;
        let coordinator = app.user(&w.admin, "coord-a", "coordinator", &[w.a]).await;
        let basra = area_id(&w.admin, "IQG02").await;
        let partner_of_c: i64 = sqlx::query_scalar("SELECT partner_id FROM sites WHERE id = $1")
            .bind(w.c)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        for scope in [
            format!("site:{}", w.c),
            format!("governorate:{basra}"),
            format!("partner:{partner_of_c}"),
        ] {
            let res = coordinator
                .get(&format!("/api/figures?scope={scope}&period=2026-01"))
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{scope}");
            assert_eq!(body(res).await["error"], "not_found");
            let res = coordinator
                .get(&format!("/api/figures/sites?scope={scope}&period=2026-01"))
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{scope}");
        }
        for scope in [
            format!("site:{}", w.a),
            format!("district:{}", w.district),
            format!("governorate:{}", w.governorate),
            format!("partner:{}", w.partner),
            "programme".into(),
        ] {
            let res = coordinator
                .get(&format!("/api/figures?scope={scope}&period=2026-01"))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{scope}");
        }
        // An admin's scope is every site: an empty governorate is zeros.
        let empty = area_id(&w.admin, "IQG18").await;
        let res = w
            .admin
            .get(&format!(
                "/api/figures?scope=governorate:{empty}&period=2026-01"
            ))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    })
    .await;
}

/// New participants under a type filter, by hand. Literacy (LIT) and PSS
/// groups at A and B; everyone registered 2025-12-01 but P4 and P5
/// (January).
///
/// | who | presences | new to LIT in January? |
/// |---|---|---|
/// | P1 | LIT A 2025-12-10, LIT A 2026-01-05 | no: first LIT in December |
/// | P2 | PSS A 2025-12-10, LIT A 2026-01-07 | yes, at A |
/// | P3 | LIT B 2026-01-09 (flagged), LIT A 2026-01-20 | yes: at B; flagged left out, at A |
/// | P4 | PSS A 2026-01-12 | no (new to PSS, and to group sessions) |
/// | P5 | LIT B 2026-02-02 | no: February (new to LIT in February) |
///
/// January, LIT: 2 (A 1, B 1); flagged left out: 2 (A 2). Group sessions:
/// P3 and P4 (2). No filter: registered in January, P4 and P5 (2).
#[tokio::test]
async fn new_participants_under_a_type_filter_are_those_first_present_at_that_type() {
    each_database(|app| async move {
        let w = world(&app).await;
        let lit = activity_type(&w.admin, "LIT").await;
        let pss = activity_type(&w.admin, "PSS").await;
        let mut phone = Phone::new(
            app.user(&w.admin, "coord", "coordinator", &[w.a, w.b])
                .await,
        )
        .await;
        let mut people = vec![];
        let mut items = vec![];
        for (i, registered) in [
            "2025-12-01",
            "2025-12-01",
            "2025-12-01",
            "2026-01-02",
            "2026-01-03",
        ]
        .iter()
        .enumerate()
        {
            let site = if i == 4 { w.b } else { w.a };
            let (id, mut it) = phone.participant(site, "female", 2000);
            it["data"]["registered_on"] = json!(registered);
            people.push(id);
            items.push(it);
        }
        let groups = [(w.a, lit), (w.a, pss), (w.b, lit)].map(|(site, t)| (site, t, new_id()));
        for (site, t, g) in &groups {
            items.push(item("group", g, 0, group(*site, *t, &[])));
        }
        let at = |k: usize, date: &str, who: &[usize]| {
            let (site, t, g) = &groups[k];
            let mut s = session(
                *site,
                *t,
                g,
                &who.iter().map(|&i| people[i].clone()).collect::<Vec<_>>(),
            );
            s["date"] = json!(date);
            s
        };
        let flagged = new_id();
        for (id, data) in [
            (new_id(), at(0, "2025-12-10", &[0])),
            (new_id(), at(0, "2026-01-05", &[0])),
            (new_id(), at(1, "2025-12-10", &[1])),
            (new_id(), at(0, "2026-01-07", &[1])),
            (flagged.clone(), at(2, "2026-01-09", &[2])),
            (new_id(), at(0, "2026-01-20", &[2])),
            (new_id(), at(1, "2026-01-12", &[3])),
            (new_id(), at(2, "2026-02-02", &[4])),
        ] {
            items.push(item("record", &id, 0, data));
        }
        let results = phone.push(&items).await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        let res = phone
            .api
            .post(
                &format!("/api/records/{flagged}/review"),
                json!({ "status": "flagged", "comment": "check the date" }),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());

        let new = |query: String| {
            let api = w.admin.clone();
            async move {
                let f = body(api.get(&format!("/api/figures?{query}")).await).await;
                let total = f["figures"]["totals"]["new_participants"].as_i64().unwrap();
                let mut by_site: Vec<(String, i64)> = f["groups"]
                    .as_array()
                    .map(|g| {
                        g.iter()
                            .map(|g| {
                                (
                                    g["key"].as_str().unwrap_or("").to_string(),
                                    g["totals"]["new_participants"].as_i64().unwrap(),
                                )
                            })
                            .filter(|(_, n)| *n > 0)
                            .collect()
                    })
                    .unwrap_or_default();
                by_site.sort();
                (total, by_site)
            }
        };
        let (a, b) = (w.a.to_string(), w.b.to_string());
        let mut both = vec![(a.clone(), 1), (b.clone(), 1)];
        both.sort();
        assert_eq!(
            new(format!("period=2026-01&activity_type_id={lit}&group=site")).await,
            (2, both)
        );
        assert_eq!(
            new(format!(
                "period=2026-01&activity_type_id={lit}&group=site&include_flagged=false"
            ))
            .await,
            (2, vec![(a.clone(), 2)])
        );
        assert_eq!(
            new(format!("period=2026-01&activity_type_id={pss}"))
                .await
                .0,
            1,
            "P4 only: P2 came to PSS in December"
        );
        assert_eq!(
            new("period=2026-01&kind=group_session".into()).await.0,
            2,
            "P3 and P4"
        );
        assert_eq!(
            new("period=2026-01".into()).await.0,
            2,
            "registered in January: P4 and P5"
        );
        assert_eq!(
            new(format!("activity_type_id={lit}&period=2026-02"))
                .await
                .0,
            1,
            "February: P5 only (P1 to P4 came to literacy in January or before, or never)"
        );
        // The rollup and the naive path agree under the filters too.
        use sijil::figures::engine;
        use sijil::figures::model::{Filter, Grouping};
        use sijil::figures::period::Period;
        let mut conn = app.db.pool().acquire().await.unwrap();
        let period = Period::from_range("2025-12-15", "2026-02-10").unwrap();
        for types in [Some(vec![lit]), Some(vec![lit, pss]), None] {
            for include_flagged in [true, false] {
                for grouping in [
                    Grouping::All,
                    Grouping::Site,
                    Grouping::District,
                    Grouping::Month,
                ] {
                    let mut filter = Filter {
                        sites: None,
                        types: types.clone(),
                        include_flagged,
                        use_rollups: true,
                    };
                    let fast = engine::compute(&mut conn, period, &filter, grouping)
                        .await
                        .unwrap();
                    filter.use_rollups = false;
                    assert_eq!(
                        fast,
                        engine::compute(&mut conn, period, &filter, grouping)
                            .await
                            .unwrap()
                    );
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn check_ins_and_merges_racing_each_other_lose_nothing() {
    each_database(|app| async move {
        let w = world(&app).await;
        let cfs = activity_type(&w.admin, "CFS").await;
        let mut first = Phone::new(app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await).await;
        let second = Phone::new(app.user(&w.admin, "trainer-b2", "trainer", &[w.b]).await).await;
        let coordinator = app
            .user(&w.admin, "coord", "coordinator", &[w.a, w.b])
            .await;
        let mut kids = vec![];
        let mut regs = vec![];
        for born in 2012..2020 {
            let (id, it) = first.participant(w.b, "female", born);
            kids.push(id);
            regs.push(it);
        }
        first.push(&regs).await;
        // Five days, each checked in by both phones at the same moment.
        let dates: Vec<String> = (1..=5)
            .map(|n| {
                sijil::validate::dates::format(
                    sijil::validate::dates::today() - time::Duration::days(n),
                )
            })
            .collect();
        for date in &dates {
            let id = sijil::records::model::cfs_day_id(w.b, date);
            let one = [item(
                "record",
                &id,
                0,
                cfs_day(cfs, w.b, date, &[&kids[0], &kids[1]], &[]),
            )];
            let two = [item(
                "record",
                &id,
                0,
                cfs_day(cfs, w.b, date, &[&kids[1], &kids[2]], &[]),
            )];
            let (a, b) = tokio::join!(first.push(&one), second.push(&two));
            assert_eq!(
                (a[0]["status"].as_str(), b[0]["status"].as_str()),
                (Some("stored"), Some("stored"))
            );
            assert_eq!(
                app.count_where("attendances", "record_id", &id).await,
                3,
                "{date}"
            );
        }
        // A merge while a phone pushes a record naming the one merged away.
        let day = sijil::records::model::cfs_day_id(w.b, &today());
        let by_old = [item(
            "record",
            &day,
            0,
            cfs_day(cfs, w.b, &today(), &[&kids[7], &kids[6]], &[]),
        )];
        let merge = coordinator.post(
            "/api/participants/merge",
            json!({ "keep": kids[6], "merge": kids[7] }),
        );
        let (pushed, merged) = tokio::join!(first.push(&by_old), merge);
        assert_eq!(merged.status(), StatusCode::OK);
        assert_eq!(pushed[0]["status"], "stored");
        let present: Vec<String> =
            sqlx::query_scalar("SELECT participant_id FROM attendances WHERE record_id = $1")
                .bind(&day)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(present, [kids[6].clone()], "present once, as the survivor");
        rollups_agree_with_a_full_scan(&app).await;
    })
    .await;
}

#[tokio::test]
async fn codes_cannot_be_walked_through_by_lookups() {
    each_database(|app| async move {
        let w = world(&app).await;
        let mut at_a = Phone::new(app.user(&w.admin, "trainer-a", "trainer", &[w.a]).await).await;
        let at_b = app.user(&w.admin, "trainer-b", "trainer", &[w.b]).await;
        let (_, reg) = at_a.participant(w.a, "female", 2015);
        let code = reg["data"]["code"].as_str().unwrap().to_string();
        at_a.push(&[reg]).await;
        // Only whole codes: a prefix is not a code.
        let res = at_b.get(&format!("/api/participants/code/{}", &code[..4])).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body(res).await["error"], "invalid_code");
        // An hour's share of lookups spent (as if made one by one) …
        let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'trainer-b'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let now = sijil::store::now_millis();
        for _ in 0..sijil::participants::model::LOOKUPS_PER_WINDOW {
            sqlx::query("INSERT INTO audit_log (at, user_id, login, action) VALUES ($1, $2, 'trainer-b', 'participant.lookup')")
                .bind(now)
                .bind(user)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        // … the next is refused, and says when to try again; others are not held up.
        let res = at_b.get(&format!("/api/participants/code/{code}")).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().get("retry-after").is_some());
        assert_eq!(body(res).await["error"], "rate_limited");
        let res = at_a.api.get(&format!("/api/participants/code/{code}")).await;
        assert_eq!(res.status(), StatusCode::OK);
    })
    .await;
}

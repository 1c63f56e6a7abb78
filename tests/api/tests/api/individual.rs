//! Individual sessions (issue 17): the fourth kind of record, one
//! participant and no group, through the same push, write path, rollups,
//! review, locks and figures as the other three.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::participants::code;
use sijil_e2e::field::{activity_type, group, item, new_id, pull_all, session, Phone};
use sijil_e2e::{body, each_database, Api};

/// An individual session of `minutes` with the one person `who` names
/// (`{"attendance": [id]}` or `{"attendance_codes": [code]}`).
fn individual(site: i64, kind_type: i64, date: &str, minutes: i64, who: Value) -> Value {
    let mut data = json!({ "kind": "individual_session", "activity_type_id": kind_type, "site_id": site,
        "date": date, "duration_minutes": minutes, "notes": "Follow-up in two weeks" });
    for (k, v) in who.as_object().unwrap() {
        data[k] = v.clone();
    }
    data
}

async fn totals(api: &Api, query: &str) -> Value {
    let res = api.get(&format!("/api/figures?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    body(res).await["figures"]["totals"].clone()
}

/// (unique participants, attendances, hours, activities) in `query`.
async fn counted(api: &Api, query: &str) -> (i64, i64, f64, i64) {
    let t = totals(api, query).await;
    (
        t["unique_participants"].as_i64().unwrap(),
        t["attendances"].as_i64().unwrap(),
        t["hours"].as_f64().unwrap(),
        t["activities"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn an_individual_session_counts_like_any_record_and_moves_with_its_edits() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-IND").await;
        let pss = activity_type(&admin, "PSS").await;
        let ind = activity_type(&admin, "IND-PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;

        // The seeded individual-session types reach the trainer's phone.
        let (changes, _) = pull_all(&phone.api, None, 500).await;
        let pulled: Vec<&str> = changes
            .iter()
            .filter(|c| c["entity"] == "activity_type" && c["data"]["kind"] == "individual_session")
            .map(|c| c["data"]["code"].as_str().unwrap())
            .collect();
        assert_eq!(pulled.len(), 3, "{pulled:?}");
        assert!(pulled.contains(&"IND-PSS"));

        // P1 comes to a group session and is also seen alone; P2 only alone,
        // recorded by the code on her card.
        let mut people = vec![];
        let mut items = vec![];
        for (sex, year) in [("female", 1990), ("female", 2004)] {
            let (id, mut it) = phone.participant(site, sex, year);
            it["data"]["registered_on"] = json!("2025-12-01");
            people.push((id, it["data"]["code"].as_str().unwrap().to_string()));
            items.push(it);
        }
        let (p1, _) = people[0].clone();
        let (p2, p2_code) = people[1].clone();
        let g = new_id();
        items.push(item(
            "group",
            &g,
            0,
            group(site, pss, std::slice::from_ref(&p1)),
        ));
        let mut s = session(site, pss, &g, std::slice::from_ref(&p1));
        s["date"] = json!("2026-01-08");
        items.push(item("record", &new_id(), 0, s));
        assert!(phone
            .push(&items)
            .await
            .iter()
            .all(|r| r["status"] == "stored"));
        let q = format!("scope=site:{site}&period=2026-01");
        assert_eq!(counted(&admin, &q).await, (1, 1, 1.5, 1));

        let (i1, i2) = (new_id(), new_id());
        let first = individual(site, ind, "2026-01-10", 45, json!({ "attendance": [p1] }));
        let second = individual(
            site,
            ind,
            "2026-01-12",
            60,
            json!({ "attendance_codes": [p2_code] }),
        );
        let sent = [
            item("record", &i1, 0, first.clone()),
            item("record", &i2, 0, second),
        ];
        let results = phone.push(&sent).await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        // P1 counts once whatever she came to; 90 + 45 + 60 minutes.
        assert_eq!(counted(&admin, &q).await, (2, 3, 3.25, 3));
        let only = format!("{q}&kind=individual_session");
        assert_eq!(counted(&admin, &only).await, (2, 2, 1.75, 2));
        // Resent (a dropped answer): recognised, stored once, counted once.
        let again = phone.push(&sent).await;
        assert!(
            again.iter().all(|r| r["status"] == "duplicate"),
            "{again:?}"
        );
        assert_eq!(app.count_where("attendances", "record_id", &i2).await, 1);
        assert_eq!(counted(&admin, &q).await, (2, 3, 3.25, 3));

        // What the server stored names P2 by her id, as it comes back on pull.
        let (mine, _) = pull_all(&phone.api, None, 500).await;
        let stored = mine.iter().find(|c| c["id"] == i2.as_str()).unwrap();
        assert_eq!(stored["data"]["attendance"], json!([p2]));
        assert_eq!(stored["version"], 1);

        // An edit moves its figures: the second session was P1's, 30 minutes.
        let mut edited = stored["data"].clone();
        edited["attendance"] = json!([p1]);
        edited["duration_minutes"] = json!(30);
        let res = phone.push(&[item("record", &i2, 1, edited)]).await;
        assert_eq!(res[0]["status"], "stored", "{res:?}");
        assert_eq!(counted(&admin, &only).await, (1, 2, 1.25, 2));
        assert_eq!(counted(&admin, &q).await, (1, 3, 2.75, 3));

        // Review: a flagged one is left out with the switch, and the phone learns of it.
        let res = admin
            .post(
                &format!("/api/records/{i1}/review"),
                json!({ "status": "flagged", "comment": "Which type?" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            counted(&admin, &format!("{only}&include_flagged=false")).await,
            (1, 1, 0.5, 1)
        );
        let listed = body(
            admin
                .get(&format!(
                    "/api/records?site_id={site}&from=2026-01-01&to=2026-01-31"
                ))
                .await,
        )
        .await;
        let row = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == i1.as_str())
            .unwrap();
        assert_eq!(
            (row["kind"].as_str(), row["review_status"].as_str()),
            (Some("individual_session"), Some("flagged"))
        );
        let detail = body(admin.get(&format!("/api/records/{i1}")).await).await;
        assert_eq!(
            detail["attendance"].as_array().unwrap().len(),
            1,
            "{detail}"
        );

        // A locked month refuses changes to it.
        let res = admin
            .post(
                &format!("/api/sites/{site}/locks"),
                json!({ "month": "2026-01" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let mut late = first.clone();
        late["duration_minutes"] = json!(50);
        let res = phone
            .push(&[
                item("record", &i1, 1, late),
                item("record", &new_id(), 0, first),
            ])
            .await;
        assert_eq!(
            (res[0]["status"].as_str(), res[1]["status"].as_str()),
            (Some("invalid"), Some("invalid")),
            "{res:?}"
        );
        assert_eq!(res[0]["errors"]["date"]["code"], "month_locked", "{res:?}");
        assert_eq!(counted(&admin, &only).await, (1, 2, 1.25, 2));
    })
    .await;
}

#[tokio::test]
async fn an_individual_session_names_exactly_one_participant() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-ONE").await;
        let pss = activity_type(&admin, "PSS").await;
        let ind = activity_type(&admin, "IND-COUNS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (p1, a) = phone.participant(site, "female", 1990);
        let (p2, b) = phone.participant(site, "male", 1988);
        assert!(phone
            .push(&[a, b])
            .await
            .iter()
            .all(|r| r["status"] == "stored"));
        let today = sijil_e2e::field::today();
        // A well-formed code of nobody: two people named either way.
        let someone = code::display(&code::code_for("K7M", 42).unwrap());
        let one = |who: Value| individual(site, ind, &today, 45, who);
        let mut grouped = one(json!({ "attendance": [p1] }));
        grouped["group_id"] = json!(new_id());
        let mut counted_heads = one(json!({ "attendance": [p1] }));
        counted_heads["tallies"] = json!([{ "sex": "female", "age_band": "25-59", "count": 2 }]);
        let sent = [
            one(json!({})),
            one(json!({ "attendance": [p1, p2] })),
            one(json!({ "attendance": [p1], "attendance_codes": [someone] })),
            grouped,
            counted_heads,
            // A group-session type is not an individual-session type.
            individual(site, pss, &today, 45, json!({ "attendance": [p1] })),
        ];
        let items: Vec<Value> = sent
            .iter()
            .map(|d| item("record", &new_id(), 0, d.clone()))
            .collect();
        let results = phone.push(&items).await;
        assert!(
            results.iter().all(|r| r["status"] == "invalid"),
            "{results:?}"
        );
        for r in &results[..3] {
            assert_eq!(
                r["errors"]["attendance"],
                json!({ "code": "exactly_one_person" }),
                "{r}"
            );
        }
        assert!(
            results[3]["errors"]["group_id"]["code"] == "no_group",
            "{}",
            results[3]
        );
        assert!(
            results[4]["errors"]["tallies"]["code"] == "no_head_counts",
            "{}",
            results[4]
        );
        assert!(
            results[5]["errors"]["activity_type_id"]["code"] == "wrong_activity_type",
            "{}",
            results[5]
        );
        assert_eq!(app.count("activity_records").await, 0);

        // Mobilisers hold no participants, so they record no individual sessions.
        let mobiliser = Phone::new(app.user(&admin, "huda", "mobiliser", &[site]).await).await;
        let res = mobiliser
            .push(&[item(
                "record",
                &new_id(),
                0,
                one(json!({ "attendance": [p1] })),
            )])
            .await;
        assert_eq!(res[0]["status"], "invalid");
        assert_eq!(
            res[0]["errors"]["kind"]["code"], "role_may_not",
            "{}",
            res[0]
        );
        // The figures' kind filter knows the fourth kind, and refuses what is not one.
        let ok = admin
            .get(&format!(
                "/api/figures?scope=site:{site}&kind=individual_session"
            ))
            .await;
        assert_eq!(ok.status(), StatusCode::OK);
        let bad = admin
            .get(&format!("/api/figures?scope=site:{site}&kind=individual"))
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err = body(bad).await;
        assert!(
            err["fields"]["kind"]
                .as_str()
                .unwrap()
                .contains("individual_session"),
            "{err}"
        );
        assert_eq!(app.count("activity_records").await, 0);
    })
    .await;
}

#[tokio::test]
async fn two_connections_sending_one_individual_session_store_it_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-TWO").await;
        let ind = activity_type(&admin, "PFA").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (p1, it) = phone.participant(site, "female", 1990);
        assert_eq!(phone.push(&[it]).await[0]["status"], "stored");
        let today = sijil_e2e::field::today();
        let id = new_id();
        let batch = json!({ "items": [item("record", &id, 0, individual(site, ind, &today, 40, json!({ "attendance": [p1] })))] });
        let second = phone.api.clone();
        let (a, b) = tokio::join!(
            phone.api.post("/api/sync/push", batch.clone()),
            second.post("/api/sync/push", batch.clone())
        );
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        let mut pair = [
            body(a).await["results"][0]["status"].as_str().unwrap().to_string(),
            body(b).await["results"][0]["status"].as_str().unwrap().to_string(),
        ];
        pair.sort();
        assert_eq!(pair, ["duplicate", "stored"]);
        assert_eq!(app.count("activity_records").await, 1);
        assert_eq!(app.count_where("attendances", "record_id", &id).await, 1);
        let month = &today[..7];
        let q = format!("scope=site:{site}&period={month}&kind=individual_session");
        assert_eq!(counted(&admin, &q).await, (1, 1, 40.0 / 60.0, 1));
    })
    .await;
}

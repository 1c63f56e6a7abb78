//! The sync protocol: nothing a phone sent is lost or stored twice.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil_e2e::field::{
    activity_type, awareness_event, deletion, group, item, new_id, pull_all, pull_page, session,
    Phone,
};
use sijil_e2e::{body, each_database};

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

/// A trainer's batch: 3 participants, a group of them, and a session with 2 present.
async fn trainer_batch(
    phone: &mut Phone,
    site: i64,
    pss: i64,
) -> (Vec<Value>, String, Vec<String>) {
    let mut items = vec![];
    let mut people = vec![];
    for (sex, year) in [("female", 1990), ("female", 2001), ("male", 1985)] {
        let (id, it) = phone.participant(site, sex, year);
        people.push(id);
        items.push(it);
    }
    let group_id = new_id();
    items.push(item("group", &group_id, 0, group(site, pss, &people)));
    let record_id = new_id();
    items.push(item(
        "record",
        &record_id,
        0,
        session(site, pss, &group_id, &people[..2]),
    ));
    (items, record_id, people)
}

#[tokio::test]
async fn the_same_batch_twice_is_stored_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (items, record_id, _) = trainer_batch(&mut phone, site, pss).await;

        let first = phone.push(&items).await;
        assert_eq!(statuses(&first), ["stored"; 5], "{first:?}");
        let again = phone.push(&items).await;
        assert_eq!(statuses(&again), ["duplicate"; 5], "{again:?}");

        assert_eq!(app.count("participants").await, 3);
        assert_eq!(app.count("activity_groups").await, 1);
        assert_eq!(app.count("group_members").await, 3);
        assert_eq!(app.count("activity_records").await, 1);
        assert_eq!(
            app.count_where("attendances", "record_id", &record_id)
                .await,
            2
        );
        // Results come back in the order sent, whatever order they were applied in.
        let ids: Vec<&str> = first.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let sent: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, sent);
    })
    .await;
}

#[tokio::test]
async fn two_connections_pushing_one_batch_store_it_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DUH-CFS").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (items, _, _) = trainer_batch(&mut phone, site, pss).await;
        let second = phone.api.clone();
        let body_json = json!({ "items": items });
        let (a, b) = tokio::join!(
            phone.api.post("/api/sync/push", body_json.clone()),
            second.post("/api/sync/push", body_json.clone())
        );
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        let (a, b) = (body(a).await, body(b).await);
        for i in 0..5 {
            let pair = [
                a["results"][i]["status"].as_str().unwrap(),
                b["results"][i]["status"].as_str().unwrap(),
            ];
            assert!(
                pair.contains(&"stored") && pair.contains(&"duplicate"),
                "item {i}: {pair:?}"
            );
        }
        assert_eq!(app.count("participants").await, 3);
        assert_eq!(app.count("activity_records").await, 1);
        assert_eq!(app.count("attendances").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_with_the_server_copy() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let aw = activity_type(&admin, "AW-GBV").await;
        let phone = Phone::new(app.user(&admin, "sara", "coordinator", &[site]).await).await;
        let id = new_id();
        assert_eq!(
            statuses(
                &phone
                    .push(&[item("record", &id, 0, awareness_event(site, aw, 30, 12))])
                    .await
            ),
            ["stored"]
        );

        // Edit on version 1 → version 2.
        let edit = phone
            .push(&[item("record", &id, 1, awareness_event(site, aw, 31, 12))])
            .await;
        assert_eq!(
            (edit[0]["status"].as_str(), edit[0]["version"].as_i64()),
            (Some("stored"), Some(2))
        );
        // Another edit still based on version 1: refused, with the server's copy.
        let stale = phone
            .push(&[item("record", &id, 1, awareness_event(site, aw, 99, 12))])
            .await;
        assert_eq!(stale[0]["status"], "conflict");
        assert_eq!(stale[0]["server"]["version"], 2);
        assert_eq!(stale[0]["server"]["data"]["tallies"][0]["count"], 31);
        let stored: i64 =
            sqlx::query_scalar("SELECT count FROM tallies WHERE record_id = $1 AND sex = 'female'")
                .bind(&id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(stored, 31);
    })
    .await;
}

#[tokio::test]
async fn another_sites_ids_are_invalid_and_nothing_is_written() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let mine = app.site(&admin, "MOS-01").await;
        let theirs = app.site(&admin, "DUH-02").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut other = Phone::new(app.user(&admin, "other", "trainer", &[theirs]).await).await;
        let (their_items, their_record, their_people) = trainer_batch(&mut other, theirs, pss).await;
        assert_eq!(statuses(&other.push(&their_items).await), ["stored"; 5]);
        let before = (app.count("participants").await, app.count("activity_records").await, app.count("attendances").await, app.count("sync_changes").await);

        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[mine]).await).await;
        let (p, it) = phone.participant(theirs, "female", 1999);
        let their_group = their_items[3]["id"].as_str().unwrap();
        let results = phone
            .push(&[
                // A participant at a site outside my scope.
                it,
                // A session at my site ticking their participants.
                item("record", &new_id(), 0, json!({ "kind": "group_session", "activity_type_id": pss, "site_id": mine, "group_id": their_group,
                    "date": sijil_e2e::field::today(), "duration_minutes": 60, "attendance": their_people })),
                // Editing their record.
                item("record", &their_record, 1, session(theirs, pss, their_group, &their_people[..1])),
                // A session at their site.
                item("record", &new_id(), 0, session(theirs, pss, their_group, &[])),
            ])
            .await;
        assert_eq!(statuses(&results), ["invalid"; 4], "{results:?}");
        assert_eq!(results[0]["errors"]["site_id"]["code"], "outside_scope", "{}", results[0]);
        assert!(results[1]["errors"]["attendance"]["code"].is_string() && results[1]["errors"]["group_id"]["code"].is_string(), "{}", results[1]);
        assert!(results[2]["errors"]["id"]["code"].is_string(), "{}", results[2]);
        let after = (app.count("participants").await, app.count("activity_records").await, app.count("attendances").await, app.count("sync_changes").await);
        assert_eq!(before, after);
        assert_eq!(app.count_where("participants", "id", &p).await, 0);
    })
    .await;
}

#[tokio::test]
async fn bad_items_are_answered_one_by_one_and_the_rest_is_stored() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let aw = activity_type(&admin, "AW-GBV").await;
        let pss = activity_type(&admin, "PSS").await;
        let phone = Phone::new(app.user(&admin, "huda", "mobiliser", &[site]).await).await;
        let good = new_id();
        let mut future = awareness_event(site, aw, 10, 10);
        future["date"] = json!("2999-01-01");
        let mut negative = awareness_event(site, aw, 10, 10);
        negative["tallies"][0]["count"] = json!(-4);
        let results = phone
            .push(&[
                json!({ "type": "record", "id": "not-a-uuid", "base_version": 0, "data": awareness_event(site, aw, 1, 1) }),
                item("record", &new_id(), 0, future),
                item("record", &new_id(), 0, negative),
                item("record", &new_id(), 0, json!({ "kind": "awareness_event", "surname": "x" })),
                // A mobiliser does not record group sessions.
                item("record", &new_id(), 0, session(site, pss, &new_id(), &[])),
                item("record", &good, 0, awareness_event(site, aw, 25, 5)),
            ])
            .await;
        assert_eq!(statuses(&results), ["invalid", "invalid", "invalid", "invalid", "invalid", "stored"], "{results:?}");
        assert_eq!(results[0]["errors"]["id"], json!({ "code": "not_a_uuid" }));
        assert_eq!(results[1]["errors"]["date"], json!({ "code": "in_future" }));
        assert_eq!(results[2]["errors"]["tallies"], json!({ "code": "out_of_range", "min": 0, "max": 5000 }));
        assert_eq!(results[3]["errors"]["data"], json!({ "code": "malformed" }), "{}", results[3]);
        assert_eq!(results[4]["errors"]["kind"], json!({ "code": "role_may_not" }), "{}", results[4]);
        assert_eq!(app.count("activity_records").await, 1);
        assert_eq!(app.count("tallies").await, 2);
    })
    .await;
}

#[tokio::test]
async fn an_oversized_batch_is_refused_with_413() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let aw = activity_type(&admin, "AW-GBV").await;
        let phone = Phone::new(app.user(&admin, "huda", "mobiliser", &[site]).await).await;
        let items: Vec<Value> = (0..201).map(|_| item("record", &new_id(), 0, awareness_event(site, aw, 1, 1))).collect();
        let res = phone.api.post("/api/sync/push", json!({ "items": items })).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body(res).await["error"], "batch_too_large");
        // And a body past the byte limit, whatever its item count.
        let huge = json!({ "items": [item("record", &new_id(), 0, json!({ "notes": "x".repeat(5 * 1024 * 1024) }))] });
        let res = phone.api.post("/api/sync/push", huge).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(app.count("activity_records").await, 0);
    })
    .await;
}

#[tokio::test]
async fn deletion_propagates_through_pull() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (items, record_id, _) = trainer_batch(&mut phone, site, pss).await;
        phone.push(&items).await;
        let (changes, cursor) = pull_all(&phone.api, None, 100).await;
        let record = changes
            .iter()
            .find(|c| c["id"] == record_id.as_str())
            .expect("record pulled");
        assert_eq!(
            (record["deleted"].as_bool(), record["version"].as_i64()),
            (Some(false), Some(1))
        );
        assert!(changes.iter().any(|c| c["entity"] == "site"
            && c["id"].as_str().and_then(|id| id.parse().ok()) == Some(site)));
        assert!(changes.iter().any(|c| c["entity"] == "activity_type"));

        let deleted = phone.push(&[deletion("record", &record_id, 1)]).await;
        assert_eq!(
            (
                deleted[0]["status"].as_str(),
                deleted[0]["version"].as_i64()
            ),
            (Some("stored"), Some(2))
        );
        let (after, _) = pull_all(&phone.api, Some(&cursor), 100).await;
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(
            (after[0]["id"].as_str(), after[0]["deleted"].as_bool()),
            (Some(record_id.as_str()), Some(true))
        );
        assert!(after[0].get("data").is_none());
        // Deleting again is a duplicate; the row stays (soft deletion).
        assert_eq!(
            statuses(&phone.push(&[deletion("record", &record_id, 1)]).await),
            ["duplicate"]
        );
        assert_eq!(
            app.count_where("activity_records", "id", &record_id).await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn pages_are_complete_while_pushes_happen_in_between() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let other_site = app.site(&admin, "DUH-02").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let mut stranger =
            Phone::new(app.user(&admin, "other", "trainer", &[other_site]).await).await;
        let mut expected: HashSet<String> = HashSet::new();
        for _ in 0..3 {
            let (items, _, _) = trainer_batch(&mut phone, site, pss).await;
            expected.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
            phone.push(&items).await;
        }
        let theirs = trainer_batch(&mut stranger, other_site, pss).await.0;
        stranger.push(&theirs).await;

        // Page through 4 at a time; between pages, more arrives (new items
        // and edits of items already pulled).
        let mut seen: Vec<(String, i64)> = vec![];
        let mut latest: HashMap<String, i64> = HashMap::new();
        let mut cursor: Option<String> = None;
        let mut round = 0;
        loop {
            let page = pull_page(&phone.api, cursor.as_deref(), 4).await;
            assert_eq!(page["reset"], false);
            for c in page["changes"].as_array().unwrap() {
                // Sites and activity types have numeric ids that may coincide.
                let key = match c["entity"].as_str().unwrap() {
                    "site" | "activity_type" => format!(
                        "{}:{}",
                        c["entity"].as_str().unwrap(),
                        c["id"].as_str().unwrap()
                    ),
                    _ => c["id"].as_str().unwrap().to_string(),
                };
                let version = c["version"].as_i64().unwrap_or(0);
                seen.push((key.clone(), version));
                latest.insert(key, version);
            }
            cursor = Some(page["cursor"].as_str().unwrap().to_string());
            if round < 3 {
                let (items, record_id, people) = trainer_batch(&mut phone, site, pss).await;
                expected.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
                phone.push(&items).await;
                let group_id = items[3]["id"].as_str().unwrap();
                phone
                    .push(&[item(
                        "record",
                        &record_id,
                        1,
                        session(site, pss, group_id, &people),
                    )])
                    .await;
                let theirs = trainer_batch(&mut stranger, other_site, pss).await.0;
                stranger.push(&theirs).await;
                round += 1;
            } else if !page["more"].as_bool().unwrap() {
                break;
            }
        }
        // Nothing lost: every item pushed at my site, at its latest version.
        for id in &expected {
            assert!(latest.contains_key(id), "{id} was never pulled");
        }
        let records: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, version FROM activity_records WHERE site_id = $1")
                .bind(site)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        for (id, version) in records {
            assert_eq!(
                latest.get(&id),
                Some(&version),
                "{id} pulled at its latest version"
            );
        }
        // Nothing repeated: no version of anything twice; nothing of the other site.
        let twice: Vec<&(String, i64)> = seen
            .iter()
            .filter(|k| seen.iter().filter(|o| o == k).count() > 1)
            .collect();
        assert!(twice.is_empty(), "changes came twice: {twice:?}");
        let site_ids: HashSet<String> = latest.keys().cloned().collect();
        let theirs: Vec<String> =
            sqlx::query_scalar("SELECT id FROM participants WHERE site_id = $1")
                .bind(other_site)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert!(
            theirs.iter().all(|id| !site_ids.contains(id)),
            "another site's participants were pulled"
        );
    })
    .await;
}

#[tokio::test]
async fn a_new_site_in_scope_resets_the_cursor() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let a = app.site(&admin, "MOS-01").await;
        let b = app.site(&admin, "MOS-02").await;
        let phone = app.user(&admin, "noor", "trainer", &[a]).await;
        let (_, cursor) = pull_all(&phone, None, 100).await;
        let me = body(admin.get("/api/users").await).await;
        let noor = me
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == "noor")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            admin
                .patch(&format!("/api/users/{noor}"), json!({ "site_ids": [a, b] }))
                .await
                .status(),
            StatusCode::OK
        );
        let page = body(phone.get(&format!("/api/sync/pull?cursor={cursor}")).await).await;
        assert_eq!(page["reset"], true);
        let sites: Vec<&str> = page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["entity"] == "site")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(sites.len(), 2, "{sites:?}");
    })
    .await;
}

#[tokio::test]
async fn participants_are_found_by_code_or_name_within_scope() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let mut phone = Phone::new(app.user(&admin, "noor", "trainer", &[site]).await).await;
        let (id, mut it) = phone.participant(site, "female", 1994);
        it["data"]["given_name"] = json!("Amira");
        let code = it["data"]["code"].as_str().unwrap().to_string();
        assert_eq!(statuses(&phone.push(&[it]).await), ["stored"]);
        let by_code = body(
            phone
                .api
                .get(&format!("/api/participants?q={}", &code[..5]))
                .await,
        )
        .await;
        assert_eq!(by_code[0]["id"], id.as_str());
        let by_name = body(phone.api.get("/api/participants?q=ami").await).await;
        assert_eq!(by_name[0]["id"], id.as_str());
        // A trainer at another site finds nobody.
        let other_site = app.site(&admin, "DUH-02").await;
        let other = app.user(&admin, "other", "trainer", &[other_site]).await;
        assert_eq!(
            body(other.get("/api/participants?q=ami").await).await,
            json!([])
        );
        // A code with a wrong check character is refused with a reason.
        let (_, mut typo) = phone.participant(site, "male", 1990);
        let mut bad = typo["data"]["code"].as_str().unwrap().to_string();
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        typo["data"]["code"] = json!(bad);
        let res = phone.push(&[typo]).await;
        assert!(
            res[0]["errors"]["code"]["code"] == "check_character",
            "{res:?}"
        );
    })
    .await;
}

//! The figures against a fixture computed by hand (see the comment on
//! `Fixture`), the review loop, month locks, scope limits and exports.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::figures::engine;
use sijil::figures::model::{Filter, Grouping};
use sijil::figures::period::Period;
use sijil_e2e::field::{awareness_event, deletion, group, item, new_id, pull_all, session, Phone};
use sijil_e2e::{body, each_database, Api, TestApp};

/// A row of `activity_months`: month, site, type, flagged, activities,
/// minutes, attendances, people with a disability counted.
type MonthSums = (String, i64, i64, i64, i64, i64, i64, i64);

/// Two sites A and B in one Mosul district D, a third site C in Duhok.
/// Activity type T2: group sessions, a cycle of 2. Everyone is an IDP.
///
/// | who | sex | born | registered | where |
/// |---|---|---|---|---|
/// | P1 | f | 2008 (17 in 2025, 18 in 2026) | 2025-12-01 | A |
/// | P2 | m | 1990 | 2025-12-01 | A |
/// | P3 | f | 2015 | 2026-01-02 | B |
///
/// | record | site | date | present | later |
/// |---|---|---|---|---|
/// | R1 | A | 2025-12-20 | P1 P2 | |
/// | R2 | A | 2026-01-10 | P1 P2 | |
/// | R3 | B | 2026-01-12 | P1 P3 | |
/// | R4 | B | 2026-01-15 | P3 | flagged |
/// | R5 | A | 2026-01-20 | P2 | deleted |
/// | E1 | A | 2026-01-05 | head count 30 f 25-59, 12 m 18-24, 1 disabled | |
/// | X1 | C | 2026-01-10 | P4 (at C) | |
///
/// Sessions last 90 minutes, the event 60.
struct Fixture {
    admin: Api,
    trainer: Phone,
    district: i64,
    sites: [i64; 3],
    r3: String,
    r4: String,
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

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let ninawa = area_id(&admin, "IQG15").await;
    let res = admin.post("/api/areas", json!({ "level": 2, "parent_id": ninawa, "pcode": "IQD1501", "name_en": "Mosul", "name_ar": "الموصل", "name_ckb": "مووسڵ" })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let district = body(res).await["id"].as_i64().unwrap();
    let partner = body(
        admin
            .post(
                "/api/partners",
                json!({ "name": "Women's Centre West Mosul" }),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut sites = [0; 3];
    for (i, (code, area)) in [
        ("MOS-A", district),
        ("MOS-B", district),
        ("DUH-C", area_id(&admin, "IQG09").await),
    ]
    .into_iter()
    .enumerate()
    {
        let res = admin.post("/api/sites", json!({ "code": code, "name": format!("Site {code}"), "kind": "womens_centre", "partner_id": partner, "area_id": area })).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        sites[i] = body(res).await["id"].as_i64().unwrap();
    }
    let res = admin.post("/api/activity-types", json!({ "kind": "group_session", "code": "T2", "label_en": "Two-session cycle", "label_ar": "دورة", "label_ckb": "خول", "cycle_sessions": 2 })).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let t2 = body(res).await["id"].as_i64().unwrap();
    let aw = sijil_e2e::field::activity_type(&admin, "AW-GBV").await;

    let mut trainer = Phone::new(app.user(&admin, "noor", "coordinator", &sites).await).await;
    let mut person = |site: i64, sex: &str, born: i64, registered: &str| {
        let (id, mut it) = trainer.participant(site, sex, born);
        it["data"]["registered_on"] = json!(registered);
        (id, it)
    };
    let (p1, i1) = person(sites[0], "female", 2008, "2025-12-01");
    let (p2, i2) = person(sites[0], "male", 1990, "2025-12-01");
    let (p3, i3) = person(sites[1], "female", 2015, "2026-01-02");
    let (p4, i4) = person(sites[2], "male", 2000, "2026-01-02");
    let (ga, gb, gc) = (new_id(), new_id(), new_id());
    let at = |site: i64, g: &str, date: &str, present: &[&String]| {
        let mut s = session(
            site,
            t2,
            g,
            &present.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        );
        s["date"] = json!(date);
        s
    };
    let ids: Vec<String> = (0..7).map(|_| new_id()).collect();
    let mut event = awareness_event(sites[0], aw, 30, 12);
    event["date"] = json!("2026-01-05");
    let items = vec![
        i1,
        i2,
        i3,
        i4,
        item(
            "group",
            &ga,
            0,
            group(sites[0], t2, &[p1.clone(), p2.clone()]),
        ),
        item(
            "group",
            &gb,
            0,
            group(sites[1], t2, &[p1.clone(), p3.clone()]),
        ),
        item(
            "group",
            &gc,
            0,
            group(sites[2], t2, std::slice::from_ref(&p4)),
        ),
        item(
            "record",
            &ids[0],
            0,
            at(sites[0], &ga, "2025-12-20", &[&p1, &p2]),
        ),
        item(
            "record",
            &ids[1],
            0,
            at(sites[0], &ga, "2026-01-10", &[&p1, &p2]),
        ),
        item(
            "record",
            &ids[2],
            0,
            at(sites[1], &gb, "2026-01-12", &[&p1, &p3]),
        ),
        item(
            "record",
            &ids[3],
            0,
            at(sites[1], &gb, "2026-01-15", &[&p3]),
        ),
        item(
            "record",
            &ids[4],
            0,
            at(sites[0], &ga, "2026-01-20", &[&p2]),
        ),
        item("record", &ids[5], 0, event),
        item(
            "record",
            &ids[6],
            0,
            at(sites[2], &gc, "2026-01-10", &[&p4]),
        ),
    ];
    let results = trainer.push(&items).await;
    assert!(
        results.iter().all(|r| r["status"] == "stored"),
        "{results:?}"
    );
    assert_eq!(
        trainer.push(&[deletion("record", &ids[4], 1)]).await[0]["status"],
        "stored"
    );
    let res = admin
        .post(
            &format!("/api/records/{}/review", ids[3]),
            json!({ "status": "flagged", "comment": "P3 was at school that day?" }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    Fixture {
        admin,
        trainer,
        district,
        sites,
        r3: ids[2].clone(),
        r4: ids[3].clone(),
    }
}

async fn figures(api: &Api, query: &str) -> Value {
    let res = api.get(&format!("/api/figures?{query}")).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{query}: {}",
        res.text().await.unwrap()
    );
    body(res).await
}

fn split_sum(f: &Value, field: &str, pick: impl Fn(&Value) -> bool) -> i64 {
    f["figures"]["split"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| pick(r))
        .map(|r| r[field].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn figures_match_the_hand_computed_fixture() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let d = fx.district;

        // January in district D: the girl at two sites counts once.
        let jan = figures(&fx.admin, &format!("scope=district:{d}&period=2026-01")).await;
        let t = &jan["figures"]["totals"];
        assert_eq!(t["activities"], 4, "R2 R3 R4 E1; R5 deleted: {t}");
        assert_eq!(t["attendances"], 5);
        assert_eq!(t["unique_participants"], 3);
        assert_eq!(
            t["reached_by_head_count"], 42,
            "head counts apart from unique participants"
        );
        assert_eq!(t["reached_with_disability"], 1);
        assert_eq!(t["new_participants"], 1, "P3 registered 2026-01-02 at B");
        assert_eq!(
            t["completed"], 2,
            "P1 (R2 at A + R3 at B) and P3 (R3 + flagged R4)"
        );
        assert_eq!(t["hours"], 5.5);
        // P1 is 18 in 2026.
        assert_eq!(
            split_sum(&jan, "unique_participants", |r| r["age_band"] == "18-24"
                && r["sex"] == "female"),
            1
        );

        // Once per site: 2 + 2, more than the district's 3.
        let by_site = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&group=next"),
        )
        .await;
        assert_eq!(by_site["group"], "site");
        let uniques: Vec<(String, i64)> = by_site["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["label"].as_str().unwrap().to_string(),
                    g["totals"]["unique_participants"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            uniques,
            [
                ("MOS-A Site MOS-A".to_string(), 2),
                ("MOS-B Site MOS-B".to_string(), 2)
            ]
        );

        // The flagged record left out with one switch.
        let strict = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&include_flagged=false"),
        )
        .await;
        let t = &strict["figures"]["totals"];
        assert_eq!(
            (
                t["activities"].as_i64(),
                t["attendances"].as_i64(),
                t["unique_participants"].as_i64(),
                t["completed"].as_i64()
            ),
            (Some(3), Some(4), Some(3), Some(1))
        );

        // A range crossing the year: P1 first present in 2025, so counted once, at 17.
        let range = figures(
            &fx.admin,
            &format!("scope=district:{d}&from=2025-12-15&to=2026-01-31"),
        )
        .await;
        let t = &range["figures"]["totals"];
        assert_eq!(
            (
                t["activities"].as_i64(),
                t["attendances"].as_i64(),
                t["unique_participants"].as_i64(),
                t["completed"].as_i64(),
                t["new_participants"].as_i64()
            ),
            (Some(5), Some(7), Some(3), Some(3), Some(1))
        );
        assert_eq!(
            split_sum(&range, "unique_participants", |r| r["sex"] == "female"
                && r["age_band"] == "12-17"),
            1
        );
        assert_eq!(
            split_sum(&range, "unique_participants", |r| r["sex"] == "female"
                && r["age_band"] == "18-24"),
            0
        );
        // Her attendances each carry the age of their year: 1 at 17, 2 at 18.
        assert_eq!(
            split_sum(&range, "attendances", |r| r["sex"] == "female"
                && r["age_band"] == "12-17"),
            1
        );
        assert_eq!(
            split_sum(&range, "attendances", |r| r["sex"] == "female"
                && r["age_band"] == "18-24"),
            2
        );
        assert_eq!(
            split_sum(&range, "unique_participants", |r| r["displacement"]
                == "idp"),
            3
        );

        // The programme: C's participant too; governorates as the next level.
        let programme = figures(&fx.admin, "period=2026-01&group=next").await;
        assert_eq!(programme["figures"]["totals"]["unique_participants"], 4);
        assert_eq!(programme["groups"].as_array().unwrap().len(), 2);
        // A monthly trend over the range.
        let trend = figures(
            &fx.admin,
            &format!("scope=district:{d}&from=2025-12-01&to=2026-01-31&group=month"),
        )
        .await;
        let months: Vec<(&str, i64)> = trend["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap(),
                    g["totals"]["unique_participants"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(months, [("2025-12", 2), ("2026-01", 3)]);
        let weekly = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&group=week"),
        )
        .await;
        let week_activities: i64 = weekly["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["totals"]["activities"].as_i64().unwrap())
            .sum();
        assert_eq!(week_activities, 4);
    })
    .await;
}

#[tokio::test]
async fn rollups_agree_with_a_full_scan_after_edits_flags_and_deletions() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        // More churn: edit R3 (drop P1), delete R4, approve nothing.
        let (changed, _) = pull_all(&fx.trainer.api, None, 500).await;
        let r3 = changed.iter().find(|c| c["id"] == fx.r3.as_str()).unwrap();
        let mut data = r3["data"].clone();
        data["attendance"] = json!([data["attendance"][1].clone()]);
        assert_eq!(
            fx.trainer.push(&[item("record", &fx.r3, 1, data)]).await[0]["status"],
            "stored"
        );
        assert_eq!(
            fx.trainer.push(&[deletion("record", &fx.r4, 1)]).await[0]["status"],
            "stored"
        );
        // And a participant's attributes corrected (the rollup carries them).
        let person = changed
            .iter()
            .find(|c| c["entity"] == "participant")
            .unwrap();
        let mut corrected = person["data"].clone();
        corrected["birth_year"] = json!(1975);
        corrected["displacement"] = json!("returnee");
        let id = person["id"].as_str().unwrap();
        assert_eq!(
            fx.trainer
                .push(&[item("participant", id, 1, corrected)])
                .await[0]["status"],
            "stored"
        );

        let mut conn = app.db.pool().acquire().await.unwrap();
        assert_rollups_agree_with_a_scan(&mut conn).await;
        assert_rollups_equal_a_rebuild(&mut conn).await;
    })
    .await;
}

/// A push adds its records' contributions together at its end; an item of
/// the same push that edits or deletes one of them (or an older record)
/// finds them added first, and a refused item adds nothing.
#[tokio::test]
async fn one_push_that_adds_edits_and_deletes_records_keeps_the_rollups_exact() {
    each_database(|app| async move {
        let mut fx = fixture(&app).await;
        let (changed, _) = pull_all(&fx.trainer.api, None, 500).await;
        let person = |born: i64| {
            let p = changed
                .iter()
                .find(|c| c["entity"] == "participant" && c["data"]["birth_year"] == born)
                .unwrap();
            p["id"].as_str().unwrap().to_string()
        };
        let (p1, p2, p3) = (person(2008), person(1990), person(2015));
        let group_at = |site: i64| {
            changed
                .iter()
                .find(|c| c["entity"] == "group" && c["data"]["site_id"] == site)
                .unwrap()
        };
        let (ga, gb) = (group_at(fx.sites[0]), group_at(fx.sites[1]));
        let t2 = ga["data"]["activity_type_id"].as_i64().unwrap();
        let at = |group: &Value, date: &str, present: &[&String]| {
            let site = group["data"]["site_id"].as_i64().unwrap();
            let present: Vec<String> = present.iter().map(|p| p.to_string()).collect();
            let mut s = session(site, t2, group["id"].as_str().unwrap(), &present);
            s["date"] = json!(date);
            s
        };
        let (p5, mut registered) = fx.trainer.participant(fx.sites[0], "female", 1985);
        registered["data"]["registered_on"] = json!("2025-11-30");
        let (n1, n2, n3, n4, bad) = (new_id(), new_id(), new_id(), new_id(), new_id());
        let aw = sijil_e2e::field::activity_type(&fx.admin, "AW-GBV").await;
        let mut event = awareness_event(fx.sites[0], aw, 7, 3);
        event["date"] = json!("2026-01-27");
        let r3 = changed.iter().find(|c| c["id"] == fx.r3.as_str()).unwrap();
        let mut r3_now = r3["data"].clone();
        r3_now["attendance"] = json!([p3.clone()]);
        let results = fx
            .trainer
            .push(&[
                item("record", &n1, 0, at(ga, "2026-01-25", &[&p1, &p5])),
                item("record", &bad, 0, at(ga, "2026-01-25", &[&new_id()])),
                item("record", &n2, 0, at(gb, "2026-01-26", &[&p1, &p3])),
                item("record", &n3, 0, event),
                // P2 and P5 present earlier than ever before: new first presences.
                item("record", &n4, 0, at(ga, "2025-12-05", &[&p2, &p5])),
                // N1 edited (another day, other people) and N2 deleted in
                // the push that made them; R3 (stored before) edited.
                item("record", &n1, 1, at(ga, "2026-01-24", &[&p2, &p5])),
                deletion("record", &n2, 1),
                item("record", &fx.r3, 1, r3_now),
                registered,
            ])
            .await;
        let statuses: Vec<&str> = results.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(
            statuses,
            ["stored", "invalid", "stored", "stored", "stored", "stored", "stored", "stored", "stored"],
            "{results:?}"
        );
        let mut conn = app.db.pool().acquire().await.unwrap();
        let firsts: Vec<(String, String)> = sqlx::query_as(
            "SELECT participant_id, first_on FROM first_presences WHERE unflagged = 1 AND participant_id IN ($1, $2) ORDER BY first_on, participant_id",
        )
        .bind(&p2)
        .bind(&p5)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let mut expected = vec![(p2.clone(), "2025-12-05".to_string()), (p5.clone(), "2025-12-05".to_string())];
        expected.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        assert_eq!(firsts, expected);
        let day_sets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM presence_day_sets WHERE day IN ('2026-01-25', '2026-01-26')")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(day_sets, 0, "the edited day and the deleted record's day hold nobody");
        assert_rollups_agree_with_a_scan(&mut conn).await;
        assert_rollups_equal_a_rebuild(&mut conn).await;
    })
    .await;
}

/// Every grouping over ranges that cut months and days, with flagged
/// records and without: the rollups answer what the naive scan answers.
async fn assert_rollups_agree_with_a_scan(conn: &mut sqlx::AnyConnection) {
    for (from, to) in [
        ("2025-12-01", "2026-01-31"),
        ("2025-12-15", "2026-01-20"),
        ("2026-01-01", "2026-01-31"),
        ("2026-01-12", "2026-01-12"),
    ] {
        let period = Period::from_range(from, to).unwrap();
        for grouping in [
            Grouping::All,
            Grouping::Site,
            Grouping::District,
            Grouping::Governorate,
            Grouping::Month,
            Grouping::SiteMonthType,
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
                let fast = engine::compute(conn, period, &filter, grouping)
                    .await
                    .unwrap();
                filter.use_rollups = false;
                let naive = engine::compute(conn, period, &filter, grouping)
                    .await
                    .unwrap();
                assert_eq!(
                    fast, naive,
                    "{from}..{to} {grouping:?} flagged={include_flagged}"
                );
            }
        }
    }
}

/// The rollups kept in step equal a rebuild from the records.
async fn assert_rollups_equal_a_rebuild(conn: &mut sqlx::AnyConnection) {
    let before: Vec<(String, i64, i64, String, i64, i64)> = sqlx::query_as("SELECT month, site_id, activity_type_id, participant_id, attendances, unflagged FROM presence_months ORDER BY 1, 2, 3, 4").fetch_all(&mut *conn).await.unwrap();
    let firsts = "SELECT participant_id, activity_type_id, unflagged, first_on, site_id FROM first_presences ORDER BY 1, 2, 3";
    let firsts_before: Vec<(String, i64, i64, String, i64)> =
        sqlx::query_as(firsts).fetch_all(&mut *conn).await.unwrap();
    assert!(!firsts_before.is_empty());
    // Months emptied by the churn keep a row of zeros; a rebuild has none.
    let months = "SELECT month, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled FROM activity_months
                  WHERE activities <> 0 OR minutes <> 0 OR attendances <> 0 OR tally_disabled <> 0 ORDER BY 1, 2, 3, 4";
    let months_before: Vec<MonthSums> = sqlx::query_as(months).fetch_all(&mut *conn).await.unwrap();
    let tallies = "SELECT month, site_id, activity_type_id, flagged, sex, age_band, count FROM tally_months WHERE count <> 0 ORDER BY 1, 2, 3, 4, 5, 6";
    let tallies_before: Vec<(String, i64, i64, i64, String, String, i64)> =
        sqlx::query_as(tallies).fetch_all(&mut *conn).await.unwrap();
    let sets_before = sijil_e2e::presence_sets(conn).await;
    assert!(!sets_before.is_empty());
    sijil::rollups::store::rebuild(conn).await.unwrap();
    assert_eq!(
        sets_before,
        sijil_e2e::presence_sets(conn).await,
        "the presence sets equal a rebuild"
    );
    let after: Vec<(String, i64, i64, String, i64, i64)> = sqlx::query_as("SELECT month, site_id, activity_type_id, participant_id, attendances, unflagged FROM presence_months ORDER BY 1, 2, 3, 4").fetch_all(&mut *conn).await.unwrap();
    assert_eq!(before, after);
    let firsts_after: Vec<(String, i64, i64, String, i64)> =
        sqlx::query_as(firsts).fetch_all(&mut *conn).await.unwrap();
    assert_eq!(
        firsts_before, firsts_after,
        "first presences equal a rebuild"
    );
    let months_after: Vec<MonthSums> = sqlx::query_as(months).fetch_all(&mut *conn).await.unwrap();
    assert_eq!(months_before, months_after, "monthly sums equal a rebuild");
    let tallies_after: Vec<(String, i64, i64, i64, String, String, i64)> =
        sqlx::query_as(tallies).fetch_all(&mut *conn).await.unwrap();
    assert_eq!(
        tallies_before, tallies_after,
        "monthly head counts equal a rebuild"
    );
}

#[tokio::test]
async fn figures_break_down_by_type_kind_and_week_with_their_unique_counts() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let d = fx.district;
        let group = |answer: &Value, pick: &dyn Fn(&Value) -> bool| -> Value {
            answer["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| pick(g))
                .cloned()
                .unwrap_or_else(|| panic!("no such group in {answer}"))
        };

        // January by activity type: the two-session cycle and the awareness event.
        let by_type = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&group=type&splits=true"),
        )
        .await;
        assert_eq!(by_type["group"], "type");
        assert_eq!(by_type["groups"].as_array().unwrap().len(), 2, "{by_type}");
        let cycle = group(&by_type, &|g| g["label"] == "Two-session cycle");
        assert_eq!(
            cycle["totals"]["unique_participants"], 3,
            "P1 P2 P3: {cycle}"
        );
        assert_eq!(cycle["totals"]["attendances"], 5);
        assert_eq!(
            cycle["totals"]["completed"], 2,
            "P1 (R2 R3) and P3 (R3 R4); P2 only R2, R5 deleted: {cycle}"
        );
        // Its splits come with it: the girl counts once, at 18 in January.
        let split = cycle["split"].as_array().unwrap();
        let unique: i64 = split
            .iter()
            .map(|r| r["unique_participants"].as_i64().unwrap())
            .sum();
        assert_eq!(unique, 3);
        assert!(split.iter().any(|r| r["sex"] == "female"
            && r["age_band"] == "18-24"
            && r["unique_participants"] == 1));
        let event = group(&by_type, &|g| g["totals"]["reached_by_head_count"] == 42);
        assert_eq!(event["totals"]["unique_participants"], 0);
        assert_eq!(event["totals"]["activities"], 1);
        assert_eq!(
            event["reached"].as_array().unwrap().len(),
            2,
            "30 f 25-59, 12 m 18-24"
        );
        // New to a type: nobody had been at the cycle before December.
        let dec = figures(
            &fx.admin,
            &format!("scope=district:{d}&from=2025-12-01&to=2026-01-31&group=type"),
        )
        .await;
        let cycle = group(&dec, &|g| g["label"] == "Two-session cycle");
        assert_eq!(cycle["totals"]["new_participants"], 3, "{cycle}");
        assert!(cycle.get("split").is_none(), "splits only when asked");

        // By kind, the same two buckets under their kinds.
        let by_kind = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&group=kind"),
        )
        .await;
        let kinds: Vec<&str> = by_kind["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["key"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["awareness_event", "group_session"]);
        assert_eq!(
            group(&by_kind, &|g| g["key"] == "group_session")["totals"]["unique_participants"],
            3
        );

        // Weeks count unique participants too (no more 0 with a flag).
        let weekly = figures(
            &fx.admin,
            &format!("scope=district:{d}&period=2026-01&group=week"),
        )
        .await;
        let weeks: Vec<(&str, i64, i64)> = weekly["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap(),
                    g["totals"]["activities"].as_i64().unwrap(),
                    g["totals"]["unique_participants"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-W01", 0, 0),
                ("2026-W02", 2, 2),
                ("2026-W03", 2, 2),
                ("2026-W04", 0, 0),
                ("2026-W05", 0, 0)
            ]
        );
        assert!(weekly["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["participants_counted"] == true));

        // An unknown grouping is refused, and says which exist.
        let res = fx.admin.get("/api/figures?group=colour").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(res).await["fields"]["group"]
            .as_str()
            .unwrap()
            .contains("type or kind"));
    })
    .await;
}

/// Two writers of one presence set (site B's January at the cycle), with no
/// attendee and no day in common, so the set's row is all they share: on
/// PostgreSQL the second waits for the first to commit and then changes
/// what it wrote (no update lost); on SQLite the second waits to begin.
#[tokio::test]
async fn two_writers_of_one_presence_set_lose_neither_change() {
    use sijil::records::store::load;
    use sijil::rollups::store::contribute;
    use sijil::rollups::Sign;
    each_database(|app| async move {
        let fx = fixture(&app).await;
        // R6: P2 at B on 20 January, beside R4 (P3 at B on the 15th).
        let (changed, _) = pull_all(&fx.trainer.api, None, 500).await;
        let p2 = changed
            .iter()
            .find(|c| c["entity"] == "participant" && c["data"]["birth_year"] == 1990)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r4 = changed.iter().find(|c| c["id"] == fx.r4.as_str()).unwrap();
        let mut data = r4["data"].clone();
        data["attendance"] = json!([p2]);
        data["date"] = json!("2026-01-20");
        let r6 = new_id();
        assert_eq!(
            fx.trainer.push(&[item("record", &r6, 0, data)]).await[0]["status"],
            "stored"
        );
        let bucket =
            |sets: &[(String, i64, i64, Vec<sijil::rollups::sets::Member>)]| -> (usize, u32) {
                let set = sets
                    .iter()
                    .find(|s| s.0 == "2026-01" && s.1 == fx.sites[1])
                    .expect("B's January set");
                (set.3.len(), set.3.iter().map(|m| m.attendances).sum())
            };
        let mut conn = app.db.pool().acquire().await.unwrap();
        assert_eq!(
            bucket(&sijil_e2e::presence_sets(&mut conn).await),
            (3, 4),
            "R3 P1 P3, R4 P3, R6 P2"
        );
        drop(conn);

        let mut first = app.db.begin().await.unwrap();
        let stored = load(&mut first, &fx.r4).await.unwrap().unwrap();
        contribute(
            &mut first,
            &fx.r4,
            &stored.contribution(&stored.review_status),
            Sign::Remove,
        )
        .await
        .unwrap();
        let db = app.db.clone();
        let second = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let stored = load(&mut tx, &r6).await.unwrap().unwrap();
            contribute(
                &mut tx,
                &r6,
                &stored.contribution(&stored.review_status),
                Sign::Remove,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(
            !second.is_finished(),
            "the second writer waits for the first"
        );
        first.commit().await.unwrap();
        second.await.unwrap();
        let mut conn = app.db.pool().acquire().await.unwrap();
        assert_eq!(
            bucket(&sijil_e2e::presence_sets(&mut conn).await),
            (2, 2),
            "both removals landed: R3's P1 and P3 are left"
        );
    })
    .await;
}

/// A removal that takes away someone's first day at a type re-reads her
/// first presence from her other records while holding her row; a push
/// adding an earlier presence at the same time waits for it, then keeps
/// its earlier day: the first presences equal a rebuild.
#[tokio::test]
async fn a_removal_of_a_first_day_and_a_push_of_an_earlier_one_both_land() {
    use sijil::records::store::load;
    use sijil::rollups::store::contribute;
    use sijil::rollups::Sign;
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let (changed, _) = pull_all(&fx.trainer.api, None, 500).await;
        let p1 = changed
            .iter()
            .find(|c| c["entity"] == "participant" && c["data"]["birth_year"] == 2008)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // R1: P1 and P2 at A on 20 December, P1's first day at T2.
        let r1 = changed
            .iter()
            .find(|c| c["entity"] == "record" && c["data"]["date"] == "2025-12-20")
            .unwrap();
        let mut earlier = r1["data"].clone();
        earlier["date"] = json!("2025-12-01");
        earlier["attendance"] = json!([p1.clone()]);
        let r1 = r1["id"].as_str().unwrap().to_string();
        let mut conn = app.db.pool().acquire().await.unwrap();
        assert_eq!(first_day(&mut conn, &p1).await, "2025-12-20");
        drop(conn);

        // R1 deleted as the write path does it, not yet committed.
        let mut removal = app.db.begin().await.unwrap();
        let stored = load(&mut removal, &r1).await.unwrap().unwrap();
        contribute(
            &mut removal,
            &r1,
            &stored.contribution(&stored.review_status),
            Sign::Remove,
        )
        .await
        .unwrap();
        assert!(sijil::changes::store::soft_delete(
            &mut removal,
            "activity_records",
            &r1,
            stored.head.version,
            1
        )
        .await
        .unwrap());
        assert_eq!(
            first_day(&mut removal, &p1).await,
            "2026-01-10",
            "read again: R2"
        );
        let trainer = fx.trainer;
        let push =
            tokio::spawn(
                async move { trainer.push(&[item("record", &new_id(), 0, earlier)]).await },
            );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!push.is_finished(), "the push waits for the removal");
        removal.commit().await.unwrap();
        assert_eq!(push.await.unwrap()[0]["status"], "stored");
        let mut conn = app.db.pool().acquire().await.unwrap();
        assert_eq!(
            first_day(&mut conn, &p1).await,
            "2025-12-01",
            "the earlier day kept"
        );
        assert_rollups_agree_with_a_scan(&mut conn).await;
        assert_rollups_equal_a_rebuild(&mut conn).await;
    })
    .await;
}

/// Participant `id`'s first day at the fixture's type, flagged records left out.
async fn first_day(conn: &mut sqlx::AnyConnection, id: &str) -> String {
    sqlx::query_scalar(
        "SELECT first_on FROM first_presences WHERE participant_id = $1 AND unflagged = 1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_coordinator_of_two_sites_never_sees_the_third() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let [a, b, c] = fx.sites;
        let coord = app.user(&fx.admin, "sara", "coordinator", &[a, c]).await;
        let d = fx.district;

        let district = figures(
            &coord,
            &format!("scope=district:{d}&period=2026-01&group=site"),
        )
        .await;
        assert_eq!(
            district["figures"]["totals"]["activities"], 2,
            "only A's R2 and E1"
        );
        assert_eq!(district["figures"]["totals"]["unique_participants"], 2);
        let labels: Vec<&str> = district["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["MOS-A Site MOS-A"]);
        assert_eq!(
            coord
                .get(&format!("/api/figures?scope=site:{b}&period=2026-01"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let programme = figures(&coord, "period=2026-01").await;
        assert_eq!(
            programme["figures"]["totals"]["unique_participants"], 3,
            "P1 P2 at A, P4 at C"
        );

        let table = body(coord.get("/api/figures/sites?period=2026-01").await).await;
        let codes: Vec<&str> = table
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DUH-C", "MOS-A"]);
        let records = body(coord.get("/api/records?from=2025-01-01").await).await;
        assert!(
            records
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["site_id"] != b),
            "{records}"
        );
        assert_eq!(
            coord.get(&format!("/api/records/{}", fx.r3)).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            coord
                .post(
                    &format!("/api/records/{}/review", fx.r3),
                    json!({ "status": "approved" })
                )
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        let csv = coord
            .get(&format!(
                "/api/exports/figures?scope=district:{d}&period=2026-01"
            ))
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("MOS-A") && !csv.contains("MOS-B"), "{csv}");
        assert_eq!(
            coord
                .get("/api/exports/records?period=2026-01")
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        // Trainers see no figures at all.
        assert_eq!(
            fx.trainer.api.get("/api/figures").await.status(),
            StatusCode::OK,
            "the fixture's recorder is a coordinator"
        );
        let trainer = app.user(&fx.admin, "amal", "trainer", &[a]).await;
        assert_eq!(
            trainer.get("/api/figures").await.status(),
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_recorder_sees_a_flag_after_sync_and_locked_months_refuse_changes() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let b = fx.sites[1];
        let (changes, cursor) = pull_all(&fx.trainer.api, None, 500).await;
        let r4 = changes.iter().find(|c| c["id"] == fx.r4.as_str()).unwrap();
        assert_eq!(r4["review"]["status"], "flagged");
        assert_eq!(r4["review"]["comment"], "P3 was at school that day?");

        // Approving is a change the phone pulls too.
        assert_eq!(
            fx.admin
                .post(
                    &format!("/api/records/{}/review", fx.r3),
                    json!({ "status": "approved" })
                )
                .await
                .status(),
            StatusCode::OK
        );
        let (after, _) = pull_all(&fx.trainer.api, Some(&cursor), 500).await;
        assert_eq!(after.len(), 1);
        assert_eq!(after[0]["review"]["status"], "approved");
        // Flagging needs a comment.
        assert_eq!(
            fx.admin
                .post(
                    &format!("/api/records/{}/review", fx.r3),
                    json!({ "status": "flagged" })
                )
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Lock January at B: edits and new records dated in it are refused.
        let res = fx
            .trainer
            .api
            .post(
                &format!("/api/sites/{b}/locks"),
                json!({ "month": "2026-01" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let r3 = changes.iter().find(|c| c["id"] == fx.r3.as_str()).unwrap();
        // The deletion is refused once its write began (the lock is the
        // stored record's): the batch runs again with a savepoint per item,
        // and the new December record beside it is stored once.
        let december = new_id();
        let mut in_december = r3["data"].clone();
        in_december["date"] = json!("2025-12-28");
        let edit = fx
            .trainer
            .push(&[
                item("record", &fx.r3, 1, r3["data"].clone()),
                deletion("record", &fx.r4, 1),
                item("record", &december, 0, in_december),
            ])
            .await;
        assert_eq!(edit[2]["status"], "stored", "{edit:?}");
        let mut conn = app.db.pool().acquire().await.unwrap();
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activity_records WHERE id = $1")
            .bind(&december)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(stored, 1);
        assert_rollups_equal_a_rebuild(&mut conn).await;
        drop(conn);
        let mut edited = r3["data"].clone();
        edited["topic"] = json!("changed");
        let edit2 = fx
            .trainer
            .push(&[item("record", &fx.r3, 1, edited.clone())])
            .await;
        assert_eq!(
            edit[0]["status"], "duplicate",
            "an unchanged resend is still recognised"
        );
        assert_eq!(edit[1]["status"], "invalid");
        assert!(
            edit[1]["errors"]["date"]["code"] == "month_locked",
            "{edit:?}"
        );
        assert_eq!(edit2[0]["status"], "invalid");
        let mut late = r3["data"].clone();
        late["date"] = json!("2026-01-25");
        assert_eq!(
            fx.trainer.push(&[item("record", &new_id(), 0, late)]).await[0]["status"],
            "invalid"
        );

        // Unlocking is for admins, with a reason; then the edit goes through.
        assert_eq!(
            fx.trainer
                .api
                .post(
                    &format!("/api/sites/{b}/unlock"),
                    json!({ "month": "2026-01", "reason": "typo in topic" })
                )
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            fx.admin
                .post(
                    &format!("/api/sites/{b}/unlock"),
                    json!({ "month": "2026-01", "reason": "typo in topic" })
                )
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            fx.trainer.push(&[item("record", &fx.r3, 1, edited)]).await[0]["status"],
            "stored"
        );
        let audit = body(fx.admin.get("/api/audit?action=month.unlock").await).await;
        assert_eq!(
            audit["entries"][0]["detail"]["reason"], "typo in topic",
            "{audit}"
        );
        let reviews = body(fx.admin.get("/api/audit?action=record.review").await).await;
        assert_eq!(reviews["entries"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn exports_have_the_5w_layout_with_hxl_and_are_audited() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let d = fx.district;
        let res = fx
            .admin
            .get(&format!(
                "/api/exports/figures?scope=district:{d}&period=2026-01&hxl=true"
            ))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let text = res.text().await.unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let tags: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header[0], "Organisation");
        assert_eq!(
            &tags[..6],
            [
                "#org+impl+name",
                "#sector+cluster",
                "#activity+name",
                "#activity+code",
                "#adm1+code",
                "#adm1+name"
            ]
        );
        let col = |tag: &str| tags.iter().position(|t| *t == tag).unwrap();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        assert_eq!(rows.len(), 3, "A×T2, A×AW-GBV, B×T2: {text}");
        let b_t2 = rows
            .iter()
            .find(|r| r[col("#loc+code")] == "MOS-B")
            .unwrap();
        assert_eq!(b_t2[col("#adm1+code")], "IQG15");
        assert_eq!(b_t2[col("#adm2+code")], "IQD1501");
        assert_eq!(
            (
                b_t2[col("#date+start")].as_str(),
                b_t2[col("#date+end")].as_str()
            ),
            ("2026-01-01", "2026-01-31")
        );
        assert_eq!(b_t2[col("#reached+ind")], "2");
        assert_eq!(b_t2[col("#reached+f+adults")], "1", "P1, 18 in 2026");
        assert_eq!(b_t2[col("#reached+f+children")], "1", "P3");
        assert_eq!(b_t2[col("#reached+idps")], "2");
        let a_aw = rows
            .iter()
            .find(|r| r[col("#activity+code")] == "AW-GBV")
            .unwrap();
        assert_eq!(
            (
                a_aw[col("#reached+ind")].as_str(),
                a_aw[col("#reached+headcount")].as_str()
            ),
            ("0", "42")
        );
        assert_eq!(a_aw[col("#meta+flagged")], "included");

        let xlsx = fx
            .admin
            .get(&format!(
                "/api/exports/figures?scope=district:{d}&period=2026-01&format=xlsx"
            ))
            .await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
        let records = fx
            .admin
            .get("/api/exports/records?period=2026-01")
            .await
            .text()
            .await
            .unwrap();
        assert!(records.lines().count() >= 5, "{records}");
        assert!(!records.contains("Amira"), "names never leave");

        let audit = body(fx.admin.get("/api/audit?action=export.figures").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 2);
        assert_eq!(
            body(fx.admin.get("/api/audit?action=export.records").await).await["entries"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn targets_show_what_was_achieved() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let a = fx.sites[0];
        let res = fx.admin.post("/api/targets", json!({ "indicator": "unique_participants", "site_id": a, "period_start": "2026-01-01", "period_end": "2026-03-31", "value": 40 })).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        let res = fx.admin.post("/api/targets", json!({ "indicator": "reached_by_head_count", "period_start": "2026-01-01", "period_end": "2026-12-31", "value": 500 })).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(fx.admin.post("/api/targets", json!({ "indicator": "smiles", "period_start": "2026-01-01", "period_end": "2026-12-31", "value": 5 })).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let targets = body(fx.admin.get("/api/targets").await).await;
        let site_target = targets.as_array().unwrap().iter().find(|t| t["site_id"] == a).unwrap();
        assert_eq!((site_target["value"].as_i64(), site_target["achieved"].as_f64()), (Some(40), Some(2.0)));
        let programme = targets.as_array().unwrap().iter().find(|t| t["site_id"].is_null()).unwrap();
        assert_eq!(programme["achieved"], 42.0);
        // A coordinator of one site cannot set programme targets.
        let coord = app.user(&fx.admin, "sara", "coordinator", &[a]).await;
        assert_eq!(coord.post("/api/targets", json!({ "indicator": "activities", "period_start": "2026-01-01", "period_end": "2026-12-31", "value": 5 })).await.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn targets_per_activity_type_and_per_sex_and_age_band() {
    each_database(|app| async move {
        let fx = fixture(&app).await;
        let types = body(fx.admin.get("/api/activity-types").await).await;
        let type_id = |code: &str| types.as_array().unwrap().iter().find(|t| t["code"] == code).unwrap()["id"].as_i64().unwrap();
        let (t2, aw) = (type_id("T2"), type_id("AW-GBV"));
        let set = |target: Value| {
            let admin = &fx.admin;
            async move { admin.post("/api/targets", target).await }
        };
        // Young women at the two-session cycle in January: P1 (18 in 2026).
        let res = set(json!({ "indicator": "unique_participants", "activity_type_id": t2, "sex": "female", "age_band": "18-24", "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 10 })).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        // Every participant at that type: P1 P2 P3 P4 (C is in the programme).
        assert_eq!(set(json!({ "indicator": "unique_participants", "activity_type_id": t2, "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 20 })).await.status(), StatusCode::CREATED);
        // Women reached by the awareness event: 30 of 25-59.
        assert_eq!(set(json!({ "indicator": "reached_by_head_count", "activity_type_id": aw, "sex": "female", "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 50 })).await.status(), StatusCode::CREATED);
        // The awareness event has no participants: 0 at that type.
        assert_eq!(set(json!({ "indicator": "unique_participants", "activity_type_id": aw, "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 5 })).await.status(), StatusCode::CREATED);
        let targets = body(fx.admin.get("/api/targets").await).await;
        let achieved = |pick: &dyn Fn(&Value) -> bool| targets.as_array().unwrap().iter().find(|t| pick(t)).unwrap()["achieved"].as_f64().unwrap();
        assert_eq!(achieved(&|t| t["sex"] == "female" && t["age_band"] == "18-24"), 1.0, "{targets}");
        assert_eq!(achieved(&|t| t["activity_type_id"] == t2 && t["sex"].is_null()), 4.0);
        assert_eq!(achieved(&|t| t["indicator"] == "reached_by_head_count"), 30.0);
        assert_eq!(achieved(&|t| t["activity_type_id"] == aw && t["indicator"] == "unique_participants"), 0.0);

        // Refused, and nothing stored: activities have no sex; a band that
        // does not exist; a type that does not exist.
        for (bad, field) in [
            (json!({ "indicator": "activities", "sex": "female", "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 5 }), "indicator"),
            (json!({ "indicator": "attendances", "age_band": "7-9", "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 5 }), "age_band"),
            (json!({ "indicator": "attendances", "sex": "other", "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 5 }), "sex"),
            (json!({ "indicator": "attendances", "activity_type_id": 999_999, "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 5 }), "activity_type_id"),
        ] {
            let res = set(bad).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(body(res).await["fields"][field].is_string());
        }
        assert_eq!(body(fx.admin.get("/api/targets").await).await.as_array().unwrap().len(), 4);
    })
    .await;
}

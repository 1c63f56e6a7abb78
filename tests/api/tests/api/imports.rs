//! Importing a programme's existing lists (issue 16): every bad row reported
//! by row and column, nothing written by a dry run or by an apply of a file
//! with problems, the good rows only when the admin accepts, re-imports that
//! change nothing, and imported people reaching phones by pull.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sijil::participants::code;
use sijil_e2e::field::pull_all;
use sijil_e2e::{body, each_database, Api};

async fn send(api: &Api, kind: &str, query: &str, file: &str) -> reqwest::Response {
    api.request(
        reqwest::Method::POST,
        &format!("/api/imports/{kind}?{query}"),
    )
    .header("content-type", "text/csv")
    .body(file.to_string())
    .send()
    .await
    .expect("POST a file")
}

/// `(row, column)` of each problem in a report.
fn places(report: &Value) -> BTreeSet<(i64, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const MIXED: &str = "\u{feff}id,site_code,given_name,sex,birth_year,displacement,notes\n\
P-1,K1,Amira,female,2014,idp,the programme's own note\n\
P-2,K1,Huda,girl,2013,host,\n\
P-3,K1,Nour,male,1800,idp,\n\
P-4,ZZ9,Ali,male,2010,idp,\n\
P-5,K1,Sa\0ra,female,2012,idp,\n\
P-6,K1,Dana,female,2011\n\
P-7,K1,Rana,female,2015,returnee,\n";

#[tokio::test]
async fn a_file_with_bad_rows_is_reported_row_by_row_and_only_its_good_rows_are_written() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K1").await;
        let trainer = app.user(&admin, "noor", "trainer", &[site]).await;

        // The dry run: each bad row by its row number and column, nothing written.
        let res = send(&admin, "participants", "mode=dry_run", MIXED).await;
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        let expected: BTreeSet<(i64, String)> = [
            (3, "sex"),
            (4, "birth_year"),
            (5, "site_code"),
            (6, "given_name"),
            (7, "displacement"),
        ]
        .into_iter()
        .map(|(r, c)| (r, c.to_string()))
        .collect();
        assert_eq!(places(&report), expected, "{report}");
        assert_eq!(
            (&report["rows"], &report["bad_rows"], &report["new"]),
            (&Value::from(7), &Value::from(5), &Value::from(2))
        );
        assert!(report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"].is_string() && p["message"].is_string()));
        assert_eq!(report["written"], false);
        assert_eq!(app.count("participants").await, 0);
        assert_eq!(app.count("import_keys").await, 0);

        // Applying a file with problems is refused as a whole.
        let res = send(&admin, "participants", "mode=apply", MIXED).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = body(res).await;
        assert_eq!(refused["error"], "invalid");
        assert_eq!(places(&refused), expected);
        assert_eq!(app.count("participants").await, 0);
        assert_eq!(app.count("import_keys").await, 0);
        assert_eq!(app.count("device_prefixes").await, 0);

        // A file without a required column: nothing can be imported, even the good rows.
        let no_year = "site_code,sex,displacement\nK1,female,idp\n";
        let res = send(
            &admin,
            "participants",
            "mode=apply&accept_good_rows=true",
            no_year,
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let report = body(res).await;
        assert!(places(&report).contains(&(1, "birth_year".to_string())));
        assert_eq!(report["problems"][0]["code"], "missing_column");
        assert_eq!(app.count("participants").await, 0);

        // A JSON body is not a file: 415, nothing written.
        let res = admin
            .post(
                "/api/imports/participants?mode=apply",
                serde_json::json!({ "rows": [] }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body(res).await["error"], "unsupported_media_type");

        // Only admins import.
        let res = send(&trainer, "participants", "mode=dry_run", MIXED).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = send(&admin, "people", "mode=dry_run", MIXED).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // The good rows only, when the admin accepts them.
        let res = send(
            &admin,
            "participants",
            "mode=apply&accept_good_rows=true",
            MIXED,
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        assert_eq!(
            (&report["new"], &report["written"]),
            (&Value::from(2), &Value::Bool(true))
        );
        assert_eq!(places(&report), expected);
        assert_eq!(app.count("participants").await, 2);

        // They reach the trainer's phone by pull, with codes whose check character holds.
        let (changes, _) = pull_all(&trainer, None, 100).await;
        let people: Vec<&Value> = changes
            .iter()
            .filter(|c| c["entity"] == "participant")
            .collect();
        assert_eq!(people.len(), 2, "{changes:?}");
        for p in &people {
            let typed = p["data"]["code"].as_str().unwrap();
            let canonical = code::normalise(typed).unwrap();
            assert!(code::is_valid(&canonical), "{typed}");
        }
        let names: BTreeSet<&str> = people
            .iter()
            .map(|p| p["data"]["given_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, BTreeSet::from(["Amira", "Rana"]));
        assert!(
            !format!("{changes:?}").contains("own note"),
            "extra columns are never stored"
        );

        // One audit entry per applied import: counts, never names.
        let audit = body(admin.get("/api/audit?action=import.participants").await).await;
        let entries = audit["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{audit}");
        assert_eq!(entries[0]["detail"]["created"], 2);
        assert_eq!(entries[0]["detail"]["bad_rows"], 5);
        assert!(!audit.to_string().contains("Amira"));
    })
    .await;
}

#[tokio::test]
async fn importing_the_same_clean_files_twice_stores_each_participant_and_roster_place_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K1").await;
        let trainer = app.user(&admin, "noor", "trainer", &[site]).await;
        // Arabic headers; the third person has no programme id (known by the tuple).
        let people = "المعرف,رمز الموقع,الاسم,الجنس,سنة الميلاد,النزوح\n\
P-1,k1,أمل,أنثى,2014,نازح\n\
P-2,K1,Huda,female,2013,host\n\
,K1,Nour,male,2012,idp\n";
        for round in 0..2 {
            let res = send(&admin, "participants", "mode=apply", people).await;
            assert_eq!(res.status(), StatusCode::OK);
            let report = body(res).await;
            let (new, skipped) = if round == 0 { (3, 0) } else { (0, 3) };
            assert_eq!(
                (&report["new"], &report["already_imported"]),
                (&Value::from(new), &Value::from(skipped)),
                "round {round}: {report}"
            );
            assert_eq!(app.count("participants").await, 3);
        }
        let nour: String = sqlx::query_scalar("SELECT code FROM participants WHERE given_name = 'Nour'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();

        // A roster: one row per member, by import id or by code.
        let roster = format!(
            "group_name,site_code,activity_type,member_id,member_code,joined_on\n\
Girls 1,K1,PSS,P-1,,2026-01-10\n\
girls 1,k1,pss,P-2,,\n\
Girls 1,K1,PSS,,{},\n\
Boys 1,K1,PSS,P-404,,\n",
            code::display(&nour)
        );
        let res = send(&admin, "groups", "mode=dry_run", &roster).await;
        let report = body(res).await;
        assert_eq!(places(&report), BTreeSet::from([(5, "member_id".to_string())]), "{report}");
        assert_eq!(report["new"], 3);
        assert_eq!(app.count("activity_groups").await, 0);

        let clean: String = roster.lines().take(4).map(|l| format!("{l}\n")).collect();
        for round in 0..2 {
            let res = send(&admin, "groups", "mode=apply", &clean).await;
            assert_eq!(res.status(), StatusCode::OK);
            let report = body(res).await;
            let (new, skipped) = if round == 0 { (3, 0) } else { (0, 3) };
            assert_eq!(
                (&report["new"], &report["already_imported"]),
                (&Value::from(new), &Value::from(skipped)),
                "round {round}: {report}"
            );
            assert_eq!(app.count("activity_groups").await, 1);
            assert_eq!(app.count("group_members").await, 3);
        }

        // A later file adds a member to the same group, through the same write path.
        let more_people = "id,site_code,given_name,sex,birth_year,displacement\nP-9,K1,Rana,female,2015,idp\n";
        assert_eq!(send(&admin, "participants", "mode=apply", more_people).await.status(), StatusCode::OK);
        let more = "group_name,site_code,activity_type,member_id\nGirls 1,K1,PSS,P-9\nGirls 1,K1,PSS,P-1\n";
        let report = body(send(&admin, "groups", "mode=apply", more).await).await;
        assert_eq!((&report["new"], &report["already_imported"]), (&Value::from(1), &Value::from(1)));
        assert_eq!(app.count("activity_groups").await, 1);
        assert_eq!(app.count("group_members").await, 4);

        // The trainer's phone pulls the group with its roster, as if made on a phone.
        let (changes, _) = pull_all(&trainer, None, 100).await;
        let group = changes.iter().find(|c| c["entity"] == "group").expect("group pulled");
        assert_eq!(group["version"], 2);
        assert_eq!(group["data"]["members"].as_array().unwrap().len(), 4);
        assert_eq!(changes.iter().filter(|c| c["entity"] == "participant").count(), 4);
    })
    .await;
}

#[tokio::test]
async fn a_template_comes_in_each_language_and_reads_back_cleanly() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DHK-01").await;
        let trainer = app.user(&admin, "noor", "trainer", &[site]).await;
        for (language, header) in [
            ("en", "site_code"),
            ("ar", "رمز الموقع"),
            ("ckb", "کۆدی شوێن"),
        ] {
            let res = admin
                .get(&format!(
                    "/api/imports/participants/template?language={language}"
                ))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            assert!(res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"));
            let text = res.text().await.unwrap();
            assert!(text.lines().next().unwrap().contains(header), "{text}");
            // The example row is a good row: the dry run finds nothing wrong.
            let report = body(send(&admin, "participants", "mode=dry_run", &text).await).await;
            assert_eq!(
                (&report["bad_rows"], &report["new"]),
                (&Value::from(0), &Value::from(1)),
                "{report}"
            );
        }
        let res = admin
            .get("/api/imports/participants/template?language=fr")
            .await;
        assert!(res.status().is_client_error());
        let res = trainer
            .get("/api/imports/groups/template?language=en")
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn two_admins_applying_the_same_file_at_once_store_each_person_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "K1").await;
        let mut file = String::from("id,site_code,sex,birth_year,displacement\n");
        for i in 0..40 {
            file.push_str(&format!("P-{i},K1,female,2012,idp\n"));
        }
        // Both wait for the change clock; the second then finds every row imported.
        let (a, b) = tokio::join!(
            send(&admin, "participants", "mode=apply", &file),
            send(&admin, "participants", "mode=apply", &file)
        );
        let (a, b) = (body(a).await, body(b).await);
        let mut news = [a["new"].as_i64().unwrap(), b["new"].as_i64().unwrap()];
        news.sort_unstable();
        assert_eq!(news, [0, 40], "{a} {b}");
        assert_eq!(app.count("participants").await, 40);
        assert_eq!(app.count("import_keys").await, 40);
        let codes: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT code) FROM participants")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(codes, 40);
    })
    .await;
}

#[tokio::test]
async fn a_sites_file_adds_partners_and_sites_once_and_phones_hear_of_them() {
    each_database(|app| async move {
        let admin = app.admin().await;
        // Sorani headers; the P-code is a seeded governorate's.
        let file = "هاوبەش,کۆدی ناوچە,کۆدی شوێن,ناوی شوێن,جۆری شوێن\n\
Harikar,IQG15,dhk-01,Duhok CFS,child_friendly_space\n\
Harikar,IQG15,DHK-02,Duhok centre,community centre\n\
Emma,IQG99,ERB-01,Erbil centre,community_centre\n\
Emma,IQG15,ERB-02,Erbil park,park\n\
Harikar,IQG15,DHK-01,Duhok CFS again,camp\n";
        let report = body(send(&admin, "sites", "mode=dry_run", file).await).await;
        let expected: BTreeSet<(i64, String)> = [(4, "area_pcode"), (5, "kind"), (6, "site_code")]
            .into_iter()
            .map(|(r, c)| (r, c.to_string()))
            .collect();
        assert_eq!(places(&report), expected, "{report}");
        assert_eq!(report["new"], 2);
        let partners_before = app.count("partners").await;
        let sites_before = app.count("sites").await;
        assert_eq!(
            send(&admin, "sites", "mode=apply", file).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.count("sites").await, sites_before);
        for round in 0..2 {
            let res = send(&admin, "sites", "mode=apply&accept_good_rows=true", file).await;
            assert_eq!(res.status(), StatusCode::OK);
            let report = body(res).await;
            assert_eq!(report["new"], if round == 0 { 2 } else { 0 }, "{report}");
            assert_eq!(app.count("sites").await, sites_before + 2);
            assert_eq!(app.count("partners").await, partners_before + 1);
        }
        let audit = body(admin.get("/api/audit?action=import.sites").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 2);

        // A trainer of the new site sees it on their phone.
        let sites = body(admin.get("/api/sites").await).await;
        let dhk = sites
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "DHK-01")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let trainer = app.user(&admin, "noor", "trainer", &[dhk]).await;
        let (changes, _) = pull_all(&trainer, None, 100).await;
        assert!(
            changes
                .iter()
                .any(|c| c["entity"] == "site" && c["data"]["code"] == "DHK-01"),
            "{changes:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_users_file_makes_accounts_once_each_with_a_password_shown_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "K1").await;
        let file = "login,display_name,role,language,site_codes\n\
layla.hassan,Layla Hassan,trainer,ar,K1\n\
omar,Omar Aziz,coordinator,,*\n\
bad login!,Someone,trainer,,K1\n\
nadia,Nadia,trainer,,ZZ9\n\
sami,Sami,chief,,K1\n\
noor,Noor,trainer,,\n";
        let report = body(send(&admin, "users", "mode=dry_run", file).await).await;
        let rows: BTreeSet<i64> = places(&report).into_iter().map(|(r, _)| r).collect();
        // A trainer may start without sites (row 7), as in the account form.
        assert_eq!(rows, BTreeSet::from([4, 5, 6]), "{report}");
        assert!(
            report.get("passwords").is_none(),
            "no password before an apply"
        );
        let users_before = app.count("users").await;

        let res = send(&admin, "users", "mode=apply&accept_good_rows=true", file).await;
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        assert_eq!(report["new"], 3, "{report}");
        let issued = report["passwords"].as_array().unwrap();
        assert_eq!(issued.len(), 3);
        assert_eq!(app.count("users").await, users_before + 3);
        // The password works, once given to its owner.
        let layla = issued
            .iter()
            .find(|p| p["login"] == "layla.hassan")
            .unwrap();
        let layla_api = app
            .login("layla.hassan", layla["password"].as_str().unwrap())
            .await;
        let me = body(layla_api.get("/api/me").await).await;
        assert_eq!(
            (me["role"].as_str(), me["language"].as_str()),
            (Some("trainer"), Some("ar"))
        );
        // Passwords never reach the audit log.
        let audit = body(admin.get("/api/audit?action=import.users").await).await;
        assert_eq!(audit["entries"][0]["detail"]["created"], 3);
        assert!(!audit
            .to_string()
            .contains(layla["password"].as_str().unwrap()));

        // Again: nothing new, no password.
        let report =
            body(send(&admin, "users", "mode=apply&accept_good_rows=true", file).await).await;
        assert_eq!(
            (&report["new"], &report["already_imported"]),
            (&Value::from(0), &Value::from(3))
        );
        assert!(report.get("passwords").is_none());
        assert_eq!(app.count("users").await, users_before + 3);
    })
    .await;
}

#[tokio::test]
async fn a_file_larger_than_other_bodies_is_accepted_up_to_its_own_limit() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "K1").await;
        // About 1 MB: past the API's usual 256 KiB, within the import's 4 MB.
        let note = "x".repeat(100);
        let mut file = String::from("site_code,sex,birth_year,displacement,notes\n");
        for i in 0..5000 {
            file.push_str(&format!("K1,female,{},idp,{note}\n", 1990 + i % 30));
        }
        assert!(file.len() > 512 * 1024);
        let res = send(&admin, "participants", "mode=dry_run", &file).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body(res).await["rows"], 5000);
        // Past 4 MB: 413 with the usual error body, nothing written.
        let huge = "x".repeat(5 * 1024 * 1024);
        let res = send(&admin, "participants", "mode=apply", &huge).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body(res).await["error"], "payload_too_large");
        assert_eq!(app.count("participants").await, 0);
    })
    .await;
}

//! Kurmanji (`kmr`, Badini in the Arabic-based Kurdish alphabet) as the
//! fourth language (issue 12): a user chooses it and keeps it, an admin
//! gives it, imports and their templates speak it, an unknown code is a 422
//! that changes nothing, and the SQLite table rebuild that let
//! `users.language` take it (migration 0090) keeps every row and link.

use std::borrow::Cow;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::store::testing::TestDatabase;
use sijil::store::Db;
use sijil_e2e::{body, each_database, Api, TestApp};

/// Codes that are not one of the app's languages, each a way to get `kmr` almost right.
const NOT_LANGUAGES: [&str; 8] = [
    "ku", "KMR", "kmr-Arab", "kmr-Latn", "kmr ", "", "fr", "kmr\u{0}",
];

async fn audit_entries(app: &TestApp) -> i64 {
    app.count("audit_log").await
}

async fn my_language(api: &Api) -> Value {
    body(api.get("/api/me").await).await["language"].clone()
}

#[tokio::test]
async fn a_user_chooses_kurmanji_keeps_it_and_an_unknown_code_changes_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DHK-01").await;
        let trainer = app.user(&admin, "hevi", "trainer", &[site]).await;

        let res = trainer.patch("/api/me", json!({ "language": "kmr" })).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body(res).await["language"], "kmr");
        // Kept on the server: a new session reads it back.
        let again = app.login("hevi", "correct horse battery").await;
        assert_eq!(my_language(&again).await, "kmr");
        let users = body(admin.get("/api/users").await).await;
        let listed = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == "hevi")
            .unwrap();
        assert_eq!(listed["language"], "kmr");

        let entries = audit_entries(&app).await;
        for bad in NOT_LANGUAGES {
            let res = trainer.patch("/api/me", json!({ "language": bad })).await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "PATCH /api/me {bad:?}"
            );
            let answer = body(res).await;
            // A NUL is caught before the language is read, and named on its field.
            let expected = if bad.contains('\u{0}') { "invalid" } else { "invalid_body" };
            assert_eq!(answer["error"], expected, "{bad:?}: {answer}");
            assert!(answer["message"].is_string(), "{answer}");
        }
        // An admin cannot give an unknown code either.
        let id = listed["id"].as_i64().unwrap();
        for bad in ["ku", "kmr-Arab", "ckb,kmr"] {
            let res = admin
                .patch(&format!("/api/users/{id}"), json!({ "language": bad }))
                .await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "PATCH /api/users {bad:?}"
            );
        }
        assert_eq!(my_language(&trainer).await, "kmr");
        assert_eq!(audit_entries(&app).await, entries, "a refusal is not audited as a change");

        // Back to Sorani and to Kurmanji again: each choice is its own.
        let res = trainer.patch("/api/me", json!({ "language": "ckb" })).await;
        assert_eq!(body(res).await["language"], "ckb");
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "language": "kmr" }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(my_language(&trainer).await, "kmr");

        // A new account can start in Kurmanji.
        let res = admin
            .post(
                "/api/users",
                json!({ "login": "zozan", "display_name": "Zozan", "role": "mobiliser",
                        "password": "correct horse battery", "site_ids": [site], "language": "kmr" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(body(res).await["language"], "kmr");
        let zozan = app.login("zozan", "correct horse battery").await;
        assert_eq!(my_language(&zozan).await, "kmr");
        let res = admin
            .post(
                "/api/users",
                json!({ "login": "rezan", "display_name": "Rezan", "role": "trainer",
                        "password": "correct horse battery", "site_ids": [site], "language": "ku" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = 'rezan'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 0);

        // The published API lists it wherever it lists the languages.
        let spec = body(admin.get("/api/openapi.json").await).await;
        let language_lists: Vec<&Value> = spec["components"]["schemas"]
            .as_object()
            .unwrap()
            .values()
            .filter(|s| s["enum"].as_array().is_some_and(|e| e.contains(&json!("ckb"))))
            .collect();
        assert!(!language_lists.is_empty());
        for list in language_lists {
            assert!(list["enum"].as_array().unwrap().contains(&json!("kmr")), "{list}");
        }
    })
    .await;
}

#[tokio::test]
async fn imports_read_kurmanji_headers_and_accounts_in_kurmanji() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "DHK-01").await;
        for format in ["csv", "xlsx"] {
            let res = admin
                .get(&format!(
                    "/api/imports/users/template?language=kmr&format={format}"
                ))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{format}");
            let disposition = res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(disposition.contains("sijil-users-kmr."), "{disposition}");
        }
        let template = admin
            .get("/api/imports/participants/template?language=kmr")
            .await
            .text()
            .await
            .unwrap();
        let header = template.lines().next().unwrap();
        assert!(
            header.contains("کۆدێ جهی") && header.contains("سالا ژدایکبوونێ"),
            "{header}"
        );

        // A staff file with Kurmanji headers and a Kurmanji account reads cleanly and applies.
        let file =
            "ناڤێ چوونەژوورێ,ناڤێ تمام,ڕۆل,زمان,کۆدێن جهان\nberivan,Berivan,trainer,kmr,DHK-01\n";
        let res = admin
            .request(reqwest::Method::POST, "/api/imports/users?mode=apply")
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        assert_eq!(report["bad_rows"], 0, "{report}");
        let language: String =
            sqlx::query_scalar("SELECT language FROM users WHERE login = 'berivan'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(language, "kmr");
    })
    .await;
}

/// Counts of every table whose rows the users rebuild could touch.
async fn counts(db: &Db) -> Vec<(String, i64)> {
    let mut out = vec![];
    for table in [
        "users",
        "user_sites",
        "push_subscriptions",
        "push_queue",
        "devices",
        "audit_log",
        "sites",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .unwrap();
        out.push((table.to_string(), n));
    }
    out
}

#[tokio::test]
async fn the_sqlite_users_rebuild_keeps_every_row_and_link() {
    let database = TestDatabase::sqlite();
    let db = Db::connect(&database.url).await.unwrap();
    // The schema as it was before 0090.
    let mut before = sqlx::migrate::Migrator::new(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    )))
    .await
    .unwrap();
    let older: Vec<_> = before
        .migrations
        .iter()
        .filter(|m| m.version < 90)
        .cloned()
        .collect();
    before.migrations = Cow::Owned(older);
    before.run(db.pool()).await.unwrap();

    // Rows in every table that cascades from users, and one that only points at it.
    for sql in [
        "INSERT INTO partners (id, name, created_at) VALUES (1, 'P', 0)",
        "INSERT INTO sites (id, code, name, kind, partner_id, area_id, created_at, updated_at)
         VALUES (1, 'S-1', 'Site', 'camp', 1, 15, 0, 0), (2, 'S-2', 'Site 2', 'camp', 1, 15, 0, 0)",
        "INSERT INTO users (id, login, display_name, password_hash, role, language, all_sites, active, created_at, updated_at, session_epoch)
         VALUES (7, 'hevi', 'Hevi', 'x', 'trainer', 'ckb', 0, 1, 1, 2, 3),
                (8, 'amal', 'Amal', 'x', 'coordinator', 'ar', 1, 0, 4, 5, 6)",
        "INSERT INTO user_sites (user_id, site_id) VALUES (7, 1), (7, 2), (8, 1)",
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)
         VALUES (11, 7, 'https://push.example/a', 'k', 'a', 0), (12, 8, 'https://push.example/b', 'k', 'a', 0)",
        "INSERT INTO push_queue (id, subscription_id, kind, payload, urgency, ttl_secs, status, due_at, created_at)
         VALUES (21, 11, 'flag', '{}', 'normal', 60, 'pending', 0, 0),
                (22, 12, 'flag', '{}', 'normal', 60, 'sent', 0, 0),
                (23, NULL, 'flag', '{}', 'normal', 60, 'failed', 0, 0)",
        "INSERT INTO devices (id, user_id, created_at, last_seen_at) VALUES ('d1', 7, 0, 0)",
    ] {
        sqlx::query(sql).execute(db.pool()).await.unwrap();
    }
    let kept = counts(&db).await;
    let users_before: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, login, language, all_sites, active, session_epoch FROM users ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();

    db.migrate().await.unwrap();

    assert_eq!(counts(&db).await, kept);
    let users_after: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, login, language, all_sites, active, session_epoch FROM users ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(users_after, users_before);
    let links: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, subscription_id FROM push_queue ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(links, vec![(21, Some(11)), (22, Some(12)), (23, None)]);
    let sites_of_hevi: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_sites WHERE user_id = 7")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(sites_of_hevi, 2);
    let orphans: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert!(orphans.is_empty(), "{orphans:?}");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(integrity, "ok");

    // The new CHECK takes Kurmanji and still refuses anything else.
    sqlx::query("UPDATE users SET language = 'kmr' WHERE id = 7")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(sqlx::query("UPDATE users SET language = 'ku' WHERE id = 8")
        .execute(db.pool())
        .await
        .is_err());
    db.close().await;
}

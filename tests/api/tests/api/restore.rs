//! A restore from last night's backup loses nothing a phone still holds:
//! the database gets a new epoch, phones that synced since start over and
//! offer again what they sent, and the server answers `duplicate` for what
//! it already has.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{activity_type, awareness_event, item, new_id, pull_all, pull_page, Phone};
use sijil_e2e::TestApp;

/// Three awareness events, as a phone's outbox holds them.
fn events(site: i64, gbv: i64) -> Vec<Value> {
    (0..3)
        .map(|i| {
            item(
                "record",
                &new_id(),
                0,
                awareness_event(site, gbv, 10 + i, 5),
            )
        })
        .collect()
}

#[tokio::test]
async fn after_a_restore_phones_start_over_and_the_server_ends_with_everything_they_sent() {
    for database in TestDatabase::all().await {
        let kind = database.kind();
        let backup = std::env::temp_dir().join(format!("sijil-backup-{}.db", new_id()));
        let mut app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let gbv = activity_type(&admin, "AW-GBV").await;
        let mut phone = Phone::new(app.user(&admin, "mobiliser", "mobiliser", &[site]).await).await;
        let before_backup = events(site, gbv);
        assert!(phone
            .push(&before_backup)
            .await
            .iter()
            .all(|r| r["status"] == "stored"));

        // Last night's backup: SQLite online, while the server runs;
        // PostgreSQL as a dump would be, with the server stopped.
        if kind == "sqlite" {
            sijil::store::backup::backup(&app.db, &backup)
                .await
                .expect("backup");
        } else {
            let database = app.stop().await;
            database
                .copy_postgres_aside()
                .await
                .expect("a PostgreSQL copy");
            app = TestApp::spawn(database, Config::for_tests()).await;
        }

        // The phone goes on working and syncing, then the server is restored.
        phone.api = phone.api.to(&app);
        let after_backup = events(site, gbv);
        assert!(phone
            .push(&after_backup)
            .await
            .iter()
            .all(|r| r["status"] == "stored"));
        let (_, cursor) = pull_all(&phone.api, None, 100).await;
        let database = app.stop().await;
        if kind == "sqlite" {
            sijil::store::backup::restore(&database.url, &backup, true)
                .await
                .expect("restore");
            std::fs::remove_file(&backup).ok();
        } else {
            database.put_postgres_copy_back().await;
            let db = sijil::store::Db::connect(&database.url).await.unwrap();
            sijil::store::backup::mark_restored(&db).await.unwrap();
            db.close().await;
        }
        let app = TestApp::spawn(database, Config::for_tests()).await;
        assert_eq!(
            app.count("activity_records").await,
            3,
            "{kind}: the backup's records"
        );

        // The phone learns it and offers again what it sent.
        phone.api = phone.api.to(&app);
        let page = pull_page(&phone.api, Some(&cursor), 100).await;
        assert_eq!(page["reset"], true, "{kind}: {page}");
        assert_eq!(page["restored"], true, "{kind}: {page}");
        assert_eq!(page["keep_sent_days"], 14);
        let offered: Vec<Value> = before_backup.iter().chain(&after_backup).cloned().collect();
        let answers: Vec<String> = phone
            .push(&offered)
            .await
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            answers,
            [
                "duplicate",
                "duplicate",
                "duplicate",
                "stored",
                "stored",
                "stored"
            ],
            "{kind}"
        );
        assert_eq!(
            app.count("activity_records").await,
            6,
            "{kind}: every record a phone sent"
        );
        assert_eq!(phone.api.get("/api/me").await.status(), StatusCode::OK);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_restore_refuses_to_replace_a_database_unless_told() {
    let database = TestDatabase::sqlite();
    let app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
    let backup = std::env::temp_dir().join(format!("sijil-backup-{}.db", new_id()));
    sijil::store::backup::backup(&app.db, &backup)
        .await
        .expect("backup");
    let again = sijil::store::backup::backup(&app.db, &backup).await;
    assert!(again.is_err(), "a backup never overwrites a file");
    let refused = sijil::store::backup::restore(&app.database.url, &backup, false).await;
    assert!(refused.unwrap_err().to_string().contains("--force"));
    std::fs::remove_file(&backup).ok();
    app.stop().await;
}

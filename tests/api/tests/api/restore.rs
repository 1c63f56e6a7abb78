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

/// A backup taken while a phone keeps pushing is one consistent moment:
/// restored into a fresh file it passes the integrity check, every record
/// in it has all its attendances, and its rollups agree with a full scan.
#[tokio::test]
async fn a_backup_taken_while_phones_push_restores_to_a_consistent_database() {
    use sijil::figures::engine;
    use sijil::figures::model::{Filter, Grouping};
    use sijil::figures::period::Period;
    use sijil_e2e::field::{group, session};

    const PRESENT: usize = 20;
    let app = TestApp::spawn(Arc::new(TestDatabase::sqlite()), Config::for_tests()).await;
    let admin = app.admin().await;
    let site = app.site(&admin, "MOS-31").await;
    let pss = activity_type(&admin, "PSS").await;
    let mut phone = Phone::new(app.user(&admin, "zina", "trainer", &[site]).await).await;
    let mut members = vec![];
    let mut items = vec![];
    for n in 0..PRESENT {
        let (id, it) = phone.participant(site, ["female", "male"][n % 2], 1990 + n as i64);
        members.push(id);
        items.push(it);
    }
    let group_id = new_id();
    items.push(item("group", &group_id, 0, group(site, pss, &members)));
    assert!(phone
        .push(&items)
        .await
        .iter()
        .all(|r| r["status"] == "stored"));

    // The phone pushes 20 batches of 25 sessions while the backup is taken.
    let pushing = tokio::spawn(async move {
        let mut stored = 0;
        for _ in 0..20 {
            let batch: Vec<Value> = (0..25)
                .map(|_| {
                    item(
                        "record",
                        &new_id(),
                        0,
                        session(site, pss, &group_id, &members),
                    )
                })
                .collect();
            stored += phone
                .push(&batch)
                .await
                .iter()
                .filter(|r| r["status"] == "stored")
                .count();
        }
        stored
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let dir = std::env::temp_dir().join(format!("sijil-busy-backup-{}", new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let backup = dir.join("backup.db");
    sijil::store::backup::backup(&app.db, &backup)
        .await
        .expect("backup while pushing");
    assert_eq!(
        pushing.await.unwrap(),
        500,
        "every push was stored meanwhile"
    );

    let restored_url = format!("sqlite://{}?mode=rwc", dir.join("restored.db").display());
    sijil::store::backup::restore(&restored_url, &backup, false)
        .await
        .expect("restore into a fresh file");
    let db = sijil::store::Db::connect(&restored_url).await.unwrap();
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(verdict, "ok");
    let records: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM activity_records WHERE kind = 'group_session'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let attendances: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attendances")
        .fetch_one(db.pool())
        .await
        .unwrap();
    eprintln!("the backup holds {records} of the 500 sessions pushed while it was taken");
    assert!(records <= 500);
    assert_eq!(
        attendances,
        records * PRESENT as i64,
        "every record with all its attendances"
    );

    let mut conn = db.pool().acquire().await.unwrap();
    let today = sijil::validate::dates::format(sijil::validate::dates::today());
    let period = Period::from_range(&today, &today).unwrap();
    for grouping in [
        Grouping::All,
        Grouping::Site,
        Grouping::Month,
        Grouping::SiteMonthType,
    ] {
        let mut filter = Filter {
            sites: None,
            types: None,
            include_flagged: true,
            use_rollups: true,
        };
        let fast = engine::compute(&mut conn, period, &filter, grouping)
            .await
            .unwrap();
        filter.use_rollups = false;
        let naive = engine::compute(&mut conn, period, &filter, grouping)
            .await
            .unwrap();
        assert_eq!(
            fast, naive,
            "{grouping:?}: the backup's rollups agree with its records"
        );
    }
    drop(conn);
    db.close().await;
    app.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

//! Shared and lost phones (issue 11): a device's recovery key, remote wipe,
//! the absolute session lifetime, and deactivation ending sessions.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{new_id, Phone};
use sijil_e2e::{body, each_database, TestApp};

#[tokio::test]
async fn a_device_key_is_released_to_its_own_user_only_and_audited() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K1").await;
        let noor = app.user(&admin, "noor", "trainer", &[site]).await;
        let huda = app.user(&admin, "huda", "trainer", &[site]).await;
        let device = new_id();

        let first = noor
            .post("/api/devices/key", json!({ "device_id": device }))
            .await;
        assert_eq!(first.status(), StatusCode::OK);
        let first = body(first).await;
        let key = first["key"].as_str().unwrap().to_string();
        assert_eq!(key.len(), 64);
        assert_eq!(first["wipe"], false);
        // Asked again, the same key: the phone's wrap under it stays valid.
        let again = body(
            noor.post("/api/devices/key", json!({ "device_id": device }))
                .await,
        )
        .await;
        assert_eq!(again["key"], key.as_str());
        assert_eq!(app.count("devices").await, 1);

        // Another user naming the same device gets nothing, as if it did not exist.
        let other = huda
            .post("/api/devices/key", json!({ "device_id": device }))
            .await;
        assert_eq!(other.status(), StatusCode::NOT_FOUND);
        let other = huda
            .post("/api/devices/status", json!({ "device_id": device }))
            .await;
        assert_eq!(other.status(), StatusCode::NOT_FOUND);
        // Nobody signed in: 401.
        let anon = app.anonymous();
        let res = anon
            .post("/api/devices/key", json!({ "device_id": device }))
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // A bad id or an unknown field: 422 / 400, nothing written.
        let res = noor
            .post("/api/devices/key", json!({ "device_id": "../x" }))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(res).await["fields"]["device_id"].is_string());
        let res = noor
            .post(
                "/api/devices/key",
                json!({ "device_id": new_id(), "pin": "123456" }),
            )
            .await;
        assert!(res.status().is_client_error(), "{}", res.status());
        assert_eq!(app.count("devices").await, 1);

        // Every release is in the audit log, never the key itself.
        let audit = body(admin.get("/api/audit?action=device.key_released").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 2);
        assert_eq!(audit["entries"][0]["target_id"], device.as_str());
        assert!(
            !audit.to_string().contains(&key),
            "keys never reach the log"
        );
        // Admins see the device, never its key.
        let noor_id = body(noor.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let list = body(admin.get(&format!("/api/users/{noor_id}/devices")).await).await;
        assert_eq!(list[0]["id"], device.as_str());
        assert!(!list.to_string().contains(&key));
        // Only admins list devices or mark them.
        let res = noor.get(&format!("/api/users/{noor_id}/devices")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = noor
            .post(&format!("/api/users/{noor_id}/devices/wipe"), json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = admin
            .post("/api/users/999999/devices/wipe", json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_remote_wipe_takes_the_outbox_first_then_forgets_the_key() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K2").await;
        let noor = app.user(&admin, "noor", "trainer", &[site]).await;
        let noor_id = body(noor.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let device = new_id();
        let res = noor
            .post("/api/devices/key", json!({ "device_id": device }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let status = body(
            noor.post("/api/devices/status", json!({ "device_id": device }))
                .await,
        )
        .await;
        assert_eq!(status["wipe"], false);

        let marked = admin
            .post(&format!("/api/users/{noor_id}/devices/wipe"), json!({}))
            .await;
        assert_eq!(marked.status(), StatusCode::OK);
        assert_eq!(body(marked).await["devices"], 1);
        let audit = body(admin.get("/api/audit?action=device.wipe_requested").await).await;
        assert_eq!(audit["entries"][0]["target_id"], noor_id.to_string());

        // The phone hears of it at its next contact...
        let status = body(
            noor.post("/api/devices/status", json!({ "device_id": device }))
                .await,
        )
        .await;
        assert_eq!(status["wipe"], true);
        // ...gets its key to read a locked outbox (wipe: true)...
        let key = body(
            noor.post("/api/devices/key", json!({ "device_id": device }))
                .await,
        )
        .await;
        assert_eq!(key["wipe"], true);
        // ...sends what is unsent, which the server keeps (and logs)...
        let mut phone = Phone::new(noor.clone()).await;
        let (pid, item) = phone.participant(site, "female", 2015);
        let results = phone.push(&[item]).await;
        assert_eq!(results[0]["status"], "stored", "{results:?}");
        assert_eq!(app.count_where("participants", "id", &pid).await, 1);
        // ...and says it wiped.
        let res = noor
            .post("/api/devices/wiped", json!({ "device_id": device }))
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = noor
            .post("/api/devices/wiped", json!({ "device_id": device }))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::NO_CONTENT,
            "saying it twice is harmless"
        );
        let audit = body(admin.get("/api/audit?action=device.wiped").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 1);

        // The key is gone for good: the old device id answers 404.
        let res = noor
            .post("/api/devices/key", json!({ "device_id": device }))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let stored: Option<String> =
            sqlx::query_scalar("SELECT recovery_key FROM devices WHERE id = $1")
                .bind(&device)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(stored, None);
        let list = body(admin.get(&format!("/api/users/{noor_id}/devices")).await).await;
        assert!(list[0]["wiped_at"].is_i64());
        // A new device id (the phone's next login) starts clean, not marked.
        let fresh = body(
            noor.post("/api/devices/key", json!({ "device_id": new_id() }))
                .await,
        )
        .await;
        assert_eq!(fresh["wipe"], false);
    })
    .await;
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_even_if_it_comes_back() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K3").await;
        let noor = app.user(&admin, "noor", "trainer", &[site]).await;
        let id = body(noor.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "active": false }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(noor.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "active": true }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        // The old cookie stays worthless; a fresh login works.
        assert_eq!(noor.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        let again = app.login("noor", "correct horse battery").await;
        assert_eq!(again.get("/api/me").await.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_busy() {
    let config = Config {
        session_max_secs: 3,
        ..Config::for_tests()
    };
    let app = TestApp::spawn(Arc::new(TestDatabase::sqlite()), config).await;
    let admin = app.admin().await;
    // In use every 0.5 s: the idle timeout (an hour) never bites...
    for _ in 0..4 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(admin.get("/api/me").await.status(), StatusCode::OK);
    }
    // ...but 3 s after login the session is over.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        admin.get("/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.admin().await.get("/api/me").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_old_session_gets_no_device_key_unless_the_device_is_to_be_wiped() {
    let config = Config {
        device_key_window_secs: 1,
        ..Config::for_tests()
    };
    let app = TestApp::spawn(Arc::new(TestDatabase::sqlite()), config).await;
    let admin = app.admin().await;
    let site = app.site(&admin, "K4").await;
    let noor = app.user(&admin, "noor", "trainer", &[site]).await;
    let device = new_id();
    let fresh = noor
        .post("/api/devices/key", json!({ "device_id": device }))
        .await;
    assert_eq!(fresh.status(), StatusCode::OK);
    // A thief holding the phone has the session cookie, not the password.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let stale = noor
        .post("/api/devices/key", json!({ "device_id": device }))
        .await;
    assert_eq!(stale.status(), StatusCode::FORBIDDEN);
    // Marked for wiping, the phone gets it to read and send its outbox.
    let id = body(noor.get("/api/me").await).await["id"]
        .as_i64()
        .unwrap();
    admin
        .post(&format!("/api/users/{id}/devices/wipe"), json!({}))
        .await;
    let wipe = noor
        .post("/api/devices/key", json!({ "device_id": device }))
        .await;
    assert_eq!(wipe.status(), StatusCode::OK);
    // A new password login opens the window again.
    let again = app.login("noor", "correct horse battery").await;
    let res = again
        .post("/api/devices/key", json!({ "device_id": new_id() }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn many_first_key_requests_at_once_register_one_device_with_one_key() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K5").await;
        let noor = app.user(&admin, "noor", "trainer", &[site]).await;
        let device = new_id();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let noor = noor.clone();
                let device = device.clone();
                tokio::spawn(async move {
                    noor.post("/api/devices/key", json!({ "device_id": device }))
                        .await
                })
            })
            .collect();
        let mut keys = std::collections::BTreeSet::new();
        for task in tasks {
            let res = task.await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            keys.insert(body(res).await["key"].as_str().unwrap().to_string());
        }
        assert_eq!(keys.len(), 1, "one key for one device: {keys:?}");
        assert_eq!(app.count("devices").await, 1);
    })
    .await;
}

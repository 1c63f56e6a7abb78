use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sijil_e2e::{body, each_database, Api};

/// Every admin-only endpoint, with a body that would be valid for an admin.
fn admin_endpoints(site_id: i64, user_id: i64) -> Vec<(Method, String, Value)> {
    vec![
        (
            Method::POST,
            "/api/partners".into(),
            json!({ "name": "Another partner" }),
        ),
        (
            Method::PATCH,
            "/api/partners/1".into(),
            json!({ "name": "Renamed" }),
        ),
        (
            Method::POST,
            "/api/areas".into(),
            json!({ "level": 2, "parent_id": 15, "pcode": "IQD1501", "name_en": "Mosul", "name_ar": "الموصل", "name_ckb": "مووسڵ" }),
        ),
        (
            Method::PATCH,
            "/api/areas/15".into(),
            json!({ "name_en": "Nineveh" }),
        ),
        (
            Method::POST,
            "/api/sites".into(),
            json!({ "code": "X-1", "name": "X", "kind": "camp", "partner_id": 1, "area_id": 9 }),
        ),
        (
            Method::PATCH,
            format!("/api/sites/{site_id}"),
            json!({ "active": false }),
        ),
        (
            Method::POST,
            "/api/users".into(),
            json!({ "login": "newbie", "display_name": "N", "role": "trainer", "password": "long enough pw" }),
        ),
        (
            Method::PATCH,
            format!("/api/users/{user_id}"),
            json!({ "active": false }),
        ),
        (
            Method::POST,
            format!("/api/users/{user_id}/password"),
            json!({ "password": "another long pw" }),
        ),
        (
            Method::POST,
            "/api/activity-types".into(),
            json!({ "kind": "awareness_event", "code": "AW-X", "label_en": "X", "label_ar": "X", "label_ckb": "X" }),
        ),
        (
            Method::PATCH,
            "/api/activity-types/1".into(),
            json!({ "active": false }),
        ),
        (Method::GET, "/api/audit".into(), Value::Null),
    ]
}

async fn send(api: &Api, method: &Method, path: &str, body: &Value) -> StatusCode {
    let req = api.request(method.clone(), path);
    let req = if body.is_null() { req } else { req.json(body) };
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn every_admin_endpoint_is_refused_to_everyone_but_admins() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-01").await;
        let trainer = app.user(&admin, "trainer1", "trainer", &[site]).await;
        let mobiliser = app.user(&admin, "mobiliser1", "mobiliser", &[site]).await;
        let coordinator = app.user(&admin, "coord1", "coordinator", &[site]).await;
        let trainer_id = body(trainer.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let audit_before = app.count("audit_log").await;
        for (who, api) in [
            ("trainer", &trainer),
            ("mobiliser", &mobiliser),
            ("coordinator", &coordinator),
        ] {
            for (method, path, payload) in admin_endpoints(site, trainer_id) {
                assert_eq!(
                    send(api, &method, &path, &payload).await,
                    StatusCode::FORBIDDEN,
                    "{who} {method} {path}"
                );
            }
        }
        assert_eq!(
            app.count("audit_log").await,
            audit_before,
            "refused requests change nothing"
        );
        // The same requests succeed for the admin (the matrix is not vacuous).
        for (method, path, payload) in admin_endpoints(site, trainer_id) {
            let status = send(&admin, &method, &path, &payload).await;
            assert!(status.is_success(), "admin {method} {path}: {status}");
        }
    })
    .await;
}

#[tokio::test]
async fn field_roles_cannot_read_management_lists() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DUH-01").await;
        for role in ["trainer", "mobiliser"] {
            let api = app.user(&admin, &format!("{role}x"), role, &[site]).await;
            assert_eq!(
                api.get("/api/users").await.status(),
                StatusCode::FORBIDDEN,
                "{role} users"
            );
            assert_eq!(
                api.get("/api/partners").await.status(),
                StatusCode::FORBIDDEN,
                "{role} partners"
            );
            // What the phone needs stays readable.
            assert_eq!(
                api.get("/api/activity-types").await.status(),
                StatusCode::OK
            );
            assert_eq!(api.get("/api/areas").await.status(), StatusCode::OK);
        }
    })
    .await;
}

#[tokio::test]
async fn a_coordinator_sees_only_their_sites_and_the_people_there() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let mine_a = app.site(&admin, "MOS-A").await;
        let mine_b = app.site(&admin, "MOS-B").await;
        let theirs = app.site(&admin, "DUH-C").await;
        let coordinator = app
            .user(&admin, "coord", "coordinator", &[mine_a, mine_b])
            .await;
        app.user(&admin, "trainer-a", "trainer", &[mine_a]).await;
        app.user(&admin, "trainer-c", "trainer", &[theirs]).await;

        let sites = body(coordinator.get("/api/sites").await).await;
        let codes: Vec<&str> = sites
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["MOS-A", "MOS-B"]);
        let other = coordinator.get(&format!("/api/sites/{theirs}")).await;
        assert_eq!(
            other.status(),
            StatusCode::NOT_FOUND,
            "another site's existence is not disclosed"
        );
        assert_eq!(
            coordinator
                .get(&format!("/api/sites/{mine_a}"))
                .await
                .status(),
            StatusCode::OK
        );

        let users = body(coordinator.get("/api/users").await).await;
        let logins: Vec<&str> = users
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap())
            .collect();
        assert_eq!(logins, ["coord", "trainer-a"]);
        let me = body(coordinator.get("/api/me").await).await;
        assert_eq!(me["sites"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_trainer_sees_only_their_own_sites() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let mine = app.site(&admin, "CFS-1").await;
        app.site(&admin, "CFS-2").await;
        let trainer = app.user(&admin, "amal", "trainer", &[mine]).await;
        let sites = body(trainer.get("/api/sites").await).await;
        assert_eq!(sites.as_array().unwrap().len(), 1);
        assert_eq!(sites[0]["code"], "CFS-1");
    })
    .await;
}

use reqwest::StatusCode;
use serde_json::json;
use sijil_e2e::{body, each_database};

#[tokio::test]
async fn admin_creates_a_site_and_a_trainer_who_can_then_log_in() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let partner = body(admin.post("/api/partners", json!({ "name": "Women's Rights Org" })).await).await;
        let district = admin.post("/api/areas", json!({ "level": 2, "parent_id": 15, "pcode": "IQD1502", "name_en": "Mosul", "name_ar": "الموصل", "name_ckb": "مووسڵ" })).await;
        assert_eq!(district.status(), StatusCode::CREATED);
        let district = body(district).await;
        let site = admin
            .post("/api/sites", json!({ "code": "mos-wc-01", "name": "West Mosul women's centre", "kind": "womens_centre", "partner_id": partner["id"], "area_id": district["id"], "latitude": 36.33, "longitude": 43.11 }))
            .await;
        assert_eq!(site.status(), StatusCode::CREATED);
        let site = body(site).await;
        assert_eq!(site["code"], "MOS-WC-01");
        assert_eq!(site["district_pcode"], "IQD1502");
        assert_eq!(site["governorate_pcode"], "IQG15");

        let trainer = app.user(&admin, "noor", "trainer", &[site["id"].as_i64().unwrap()]).await;
        let me = body(trainer.get("/api/me").await).await;
        assert_eq!(me["role"], "trainer");
        assert_eq!(me["sites"][0]["code"], "MOS-WC-01");
    })
    .await;
}

#[tokio::test]
async fn a_taken_login_or_site_code_is_a_409_and_changes_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "S-1").await;
        let users = app.count("users").await;
        let dup = admin.post("/api/users", json!({ "login": "ADMIN", "display_name": "x", "role": "trainer", "password": "long enough pw" })).await;
        assert_eq!(dup.status(), StatusCode::CONFLICT);
        assert_eq!(body(dup).await["error"], "login_taken");
        assert_eq!(app.count("users").await, users);
        let dup = admin.post("/api/sites", json!({ "code": "s-1", "name": "x", "kind": "camp", "partner_id": 1, "area_id": 9 })).await;
        assert_eq!(dup.status(), StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn a_deactivated_user_loses_access_at_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "S-9").await;
        let trainer = app.user(&admin, "leaving", "trainer", &[site]).await;
        let id = body(trainer.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "active": false }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            trainer.get("/api/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let again = app
            .anonymous()
            .post(
                "/api/auth/login",
                json!({ "login": "leaving", "password": "correct horse battery" }),
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_reset_password_replaces_the_old_one() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "S-3").await;
        let trainer = app.user(&admin, "forgetful", "trainer", &[site]).await;
        let id = body(trainer.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let res = admin
            .post(
                &format!("/api/users/{id}/password"),
                json!({ "password": "brand new password" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let old = app
            .anonymous()
            .post(
                "/api/auth/login",
                json!({ "login": "forgetful", "password": "correct horse battery" }),
            )
            .await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        app.login("forgetful", "brand new password").await;
        let audit = body(admin.get("/api/audit?action=user.password_reset").await).await;
        assert_eq!(audit["entries"][0]["target_id"], id.to_string());
        assert!(
            !audit.to_string().contains("brand new password"),
            "passwords never reach the audit log"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_deactivated() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let id = body(admin.get("/api/me").await).await["id"]
            .as_i64()
            .unwrap();
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "role": "trainer" }))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(body(res).await["error"], "last_admin");
        let res = admin
            .patch(&format!("/api/users/{id}"), json!({ "active": false }))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn governorates_and_default_activity_types_are_preloaded() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let areas = body(admin.get("/api/areas").await).await;
        let governorates: Vec<_> = areas
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["level"] == 1)
            .collect();
        assert_eq!(governorates.len(), 18);
        let duhok = governorates.iter().find(|a| a["pcode"] == "IQG09").unwrap();
        assert_eq!(duhok["iso_code"], "IQ-DA");
        assert_eq!(duhok["name_ar"], "دهوك");
        assert_eq!(duhok["name_ckb"], "دهۆک");
        let types = body(admin.get("/api/activity-types").await).await;
        let kinds: std::collections::BTreeSet<&str> = types
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            [
                "awareness_event",
                "cfs_day",
                "group_session",
                "individual_session"
            ]
        );
        let pss = types
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "PSS")
            .unwrap();
        assert_eq!(pss["cycle_sessions"], 8);
        assert!(
            !pss["label_ar"].as_str().unwrap().is_empty()
                && !pss["label_ckb"].as_str().unwrap().is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_keeps_their_language_choice() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let res = admin.patch("/api/me", json!({ "language": "ckb" })).await;
        assert_eq!(res.status(), StatusCode::OK);
        let again = app.admin().await;
        assert_eq!(body(again.get("/api/me").await).await["language"], "ckb");
        let bad = admin.patch("/api/me", json!({ "language": "fr" })).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

use std::collections::BTreeSet;

use reqwest::Method;
use sijil_e2e::{body, each_database};

/// Every `/api` route the router serves, as `METHOD path`.
const SERVED: &[&str] = &[
    "GET /api/activity-types",
    "POST /api/activity-types",
    "PATCH /api/activity-types/{id}",
    "GET /api/areas",
    "POST /api/areas",
    "PATCH /api/areas/{id}",
    "GET /api/audit",
    "POST /api/auth/login",
    "POST /api/auth/logout",
    "GET /api/exports/figures",
    "GET /api/exports/records",
    "GET /api/figures",
    "GET /api/figures/sites",
    "GET /api/me",
    "PATCH /api/me",
    "GET /api/openapi.json",
    "GET /api/participants",
    "GET /api/participants/code/{code}",
    "GET /api/participants/duplicates",
    "POST /api/participants/merge",
    "GET /api/push/health",
    "GET /api/push/key",
    "POST /api/push/announcements",
    "POST /api/push/subscriptions",
    "DELETE /api/push/subscriptions",
    "POST /api/participants/prefixes",
    "GET /api/partners",
    "POST /api/partners",
    "PATCH /api/partners/{id}",
    "GET /api/records",
    "GET /api/records/{id}",
    "POST /api/records/{id}/review",
    "GET /api/sites",
    "POST /api/sites",
    "GET /api/sites/{id}",
    "PATCH /api/sites/{id}",
    "GET /api/sites/{id}/locks",
    "POST /api/sites/{id}/locks",
    "POST /api/sites/{id}/unlock",
    "POST /api/sync/push",
    "GET /api/sync/pull",
    "GET /api/targets",
    "POST /api/targets",
    "GET /api/users",
    "POST /api/users",
    "GET /api/users/{id}",
    "PATCH /api/users/{id}",
    "POST /api/users/{id}/password",
    // Shared and lost phones (issue 11).
    "POST /api/devices/key",
    "POST /api/devices/status",
    "POST /api/devices/wiped",
    "GET /api/users/{id}/devices",
    "POST /api/users/{id}/devices/wipe",
    // Importing a programme's existing lists (issue 16).
    "POST /api/imports/{kind}",
    "GET /api/imports/{kind}/template",
    // Referrals and the service directory (issue 17).
    "GET /api/directory/organisations",
    "POST /api/directory/organisations",
    "PATCH /api/directory/organisations/{id}",
    "GET /api/directory/services",
    "POST /api/directory/services",
    "PATCH /api/directory/services/{id}",
    "GET /api/referrals",
    "POST /api/referrals",
    "GET /api/referrals/{id}",
    "POST /api/referrals/{id}/status",
    "GET /api/referrals/figures",
    "GET /api/referrals/figures/export",
];

#[tokio::test]
async fn openapi_is_3_1_and_lists_exactly_the_routes_served() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let doc = body(admin.get("/api/openapi.json").await).await;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1."),
            "{}",
            doc["openapi"]
        );
        let mut listed = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
            {
                listed.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        let served: BTreeSet<String> = SERVED.iter().map(|s| s.to_string()).collect();
        assert_eq!(listed, served);

        // And each listed route is really routed: no "route not found" and no 405.
        for entry in &listed {
            let (method, path) = entry.split_once(' ').unwrap();
            let concrete = path.replace("{id}", "1");
            let res = admin
                .request(Method::from_bytes(method.as_bytes()).unwrap(), &concrete)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_ne!(
                res.status(),
                reqwest::StatusCode::METHOD_NOT_ALLOWED,
                "{entry}"
            );
            let text = res.text().await.unwrap();
            assert!(
                !text.contains("route /api"),
                "{entry} is not routed: {text}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn every_operation_lists_the_error_answers_it_can_give() {
    each_database(|app| async move {
        let doc = body(app.anonymous().get("/api/openapi.json").await).await;
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let listed: BTreeSet<&str> = op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                let mut needed = vec!["400", "401", "403", "404", "422", "500"];
                if op.get("requestBody").is_some() {
                    needed.extend(["409", "413", "415"]);
                }
                for status in needed {
                    assert!(
                        listed.contains(status),
                        "{method} {path} does not list {status}: {listed:?}"
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, SERVED.len());
        assert!(
            doc["components"]["schemas"]["ErrorCode"]["enum"]
                .as_array()
                .unwrap()
                .len()
                > 20
        );
    })
    .await;
}

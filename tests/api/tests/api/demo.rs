//! `sijil demo` gives a newcomer a living programme: accounts of every role
//! that log in, and figures in the dashboard.

use reqwest::StatusCode;
use sijil_e2e::{body, each_database};

#[tokio::test]
async fn the_demo_programme_has_staff_of_every_role_and_living_figures() {
    each_database(|app| async move {
        let accounts = sijil::demo::run(&app.db).await.expect("demo");
        for role in ["coordinator", "trainer", "mobiliser"] {
            assert!(
                accounts.iter().any(|a| a.role.as_str() == role),
                "no {role}"
            );
        }
        let coordinator = accounts.iter().find(|a| a.login == "coord-mosul").unwrap();
        let api = app.login(&coordinator.login, &coordinator.password).await;
        let (from, to) = sijil::demo::generate::history(&sijil::demo::generate::Spec::demo());
        let figures = body(
            api.get(&format!("/api/figures?from={from}&to={to}&group=month"))
                .await,
        )
        .await;
        let t = &figures["figures"]["totals"];
        assert!(t["activities"].as_i64().unwrap() > 100, "{t}");
        assert!(t["unique_participants"].as_i64().unwrap() > 100, "{t}");
        assert!(t["reached_by_head_count"].as_i64().unwrap() > 0, "{t}");
        assert!(
            figures["groups"].as_array().unwrap().len() >= 6,
            "six months of trend"
        );
        // Only the women's centres: no CFS days in this coordinator's scope.
        let sites = body(
            api.get(&format!("/api/figures/sites?from={from}&to={to}"))
                .await,
        )
        .await;
        assert!(
            sites
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["code"].as_str().unwrap().starts_with("MOS")),
            "{sites}"
        );
        let flagged = body(api.get("/api/records?status=flagged&from=2000-01-01").await).await;
        assert!(
            !flagged.as_array().unwrap().is_empty(),
            "a few flagged records"
        );
        // A trainer's phone pulls its own site's groups and records.
        let trainer = accounts
            .iter()
            .find(|a| a.login == "trainer-mos-01")
            .unwrap();
        let phone = app.login(&trainer.login, &trainer.password).await;
        let (changes, _) = sijil_e2e::field::pull_all(&phone, None, 1000).await;
        assert!(changes.iter().any(|c| c["entity"] == "group"));
        assert!(changes.iter().any(|c| c["entity"] == "record"));
        // Loading it twice is refused rather than doubled.
        assert!(sijil::demo::run(&app.db).await.is_err());
        assert_eq!(
            api.get("/api/figures?period=2020-Q1").await.status(),
            StatusCode::OK
        );
    })
    .await;
}

/// The sites a pull brought, by code.
fn pulled_site_codes(changes: &[serde_json::Value]) -> Vec<String> {
    let mut codes: Vec<String> = changes
        .iter()
        .filter(|c| c["entity"] == "site" && c["deleted"] == false)
        .map(|c| c["data"]["code"].as_str().unwrap_or_default().to_string())
        .collect();
    codes.sort();
    codes
}

#[tokio::test]
async fn demo_phones_pull_the_sites_they_work_at_and_no_other() {
    each_database(|app| async move {
        let accounts = sijil::demo::run(&app.db).await.expect("demo");
        let login = |name: &str| {
            let a = accounts.iter().find(|a| a.login == name).unwrap();
            (a.login.clone(), a.password.clone(), a.sites.clone())
        };
        // A trainer at one CFS, a trainer at a women's centre, and a
        // mobiliser of four camps: each pulls exactly the sites printed.
        for name in ["trainer-duh-01", "trainer-mos-02", "mobiliser-duhok"] {
            let (user, password, sites) = login(name);
            let phone = app.login(&user, &password).await;
            let (changes, _) = sijil_e2e::field::pull_all(&phone, None, 1000).await;
            let mut expected: Vec<String> = sites.split(' ').map(str::to_string).collect();
            expected.sort();
            assert_eq!(pulled_site_codes(&changes), expected, "{name}");
            // With a site, the activity types to record.
            assert!(changes.iter().any(|c| c["entity"] == "activity_type"));
        }
    })
    .await;
}

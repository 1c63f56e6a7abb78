//! Field-ready (issue 12): month locks reach phones through the pull, and
//! a push into a locked month says who can unlock it.
//!
//! | who | sites | pulls the lock of A's month |
//! |---|---|---|
//! | trainer at A | A | yes; the unlock as a deletion |
//! | mobiliser at A | A | yes |
//! | trainer at B | B | no |

use reqwest::StatusCode;
use serde_json::json;
use sijil_e2e::each_database;
use sijil_e2e::field::{activity_type, awareness_event, item, new_id, pull_all, today, Phone};

#[tokio::test]
async fn a_locked_month_reaches_the_phones_of_its_site_and_its_unlock_too() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let (a, b) = (
            app.site(&admin, "LCK-A").await,
            app.site(&admin, "LCK-B").await,
        );
        let trainer = app.user(&admin, "lock.trainer", "trainer", &[a]).await;
        let mobiliser = app.user(&admin, "lock.mobiliser", "mobiliser", &[a]).await;
        let elsewhere = app.user(&admin, "lock.other", "trainer", &[b]).await;
        let coordinator = app.user(&admin, "lock.coord", "coordinator", &[a]).await;
        let (_, cursor) = pull_all(&trainer, None, 500).await;
        let (_, mobiliser_cursor) = pull_all(&mobiliser, None, 500).await;
        let (_, other_cursor) = pull_all(&elsewhere, None, 500).await;

        let month = &today()[..7];
        let res = coordinator
            .post(&format!("/api/sites/{a}/locks"), json!({ "month": month }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);

        let key = format!("{a}:{month}");
        let (changes, cursor) = pull_all(&trainer, Some(&cursor), 500).await;
        let lock = changes
            .iter()
            .find(|c| c["entity"] == "lock")
            .unwrap_or_else(|| panic!("no lock in {changes:?}"));
        assert_eq!(lock["id"], key.as_str());
        assert_eq!(lock["deleted"], false);
        assert_eq!(lock["data"]["site_id"], a);
        assert_eq!(lock["data"]["month"], month);
        let (changes, _) = pull_all(&mobiliser, Some(&mobiliser_cursor), 500).await;
        assert!(changes
            .iter()
            .any(|c| c["entity"] == "lock" && c["id"] == key.as_str()));
        let (changes, _) = pull_all(&elsewhere, Some(&other_cursor), 500).await;
        assert!(
            changes.iter().all(|c| c["entity"] != "lock"),
            "another site's lock: {changes:?}"
        );

        // A push into the locked month says who can unlock it.
        let phone = Phone::new(mobiliser).await;
        let aw = activity_type(&phone.api, "AW-GBV").await;
        let refused = phone
            .push(&[item("record", &new_id(), 0, awareness_event(a, aw, 3, 2))])
            .await;
        assert_eq!(refused[0]["status"], "invalid");
        // As a code and the month, which the phone says in its language (naming the administrator).
        assert_eq!(
            refused[0]["errors"]["date"],
            json!({ "code": "month_locked", "values": [month] }),
            "{refused:?}"
        );

        // An admin unlocks it: the phones hear of it as a deletion.
        let res = admin
            .post(
                &format!("/api/sites/{a}/unlock"),
                json!({ "month": month, "reason": "a late record" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (changes, _) = pull_all(&trainer, Some(&cursor), 500).await;
        let unlock = changes.iter().find(|c| c["entity"] == "lock").unwrap();
        assert_eq!(unlock["id"], key.as_str());
        assert_eq!(unlock["deleted"], true);
        assert!(unlock.get("data").is_none() || unlock["data"].is_null());

        // A phone starting from nothing pulls no lock that was undone.
        let (fresh, _) = pull_all(&trainer, None, 500).await;
        assert!(
            fresh
                .iter()
                .all(|c| c["entity"] != "lock" || c["deleted"] == true),
            "{fresh:?}"
        );
    })
    .await;
}

//! Pushes of different sites run side by side, and commit in any order;
//! pulls still see every change exactly once. On PostgreSQL the change
//! feed is numbered at commit (migration 0085), so a push that started
//! first and committed last is pulled after the ones that overtook it.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use sijil::store::Backend;
use sijil_e2e::field::{activity_type, group, item, new_id, pull_page, session, Phone};
use sijil_e2e::{each_database, Api};

/// A batch of a phone: `n` new participants, a group of them, a session.
fn batch(phone: &mut Phone, site: i64, pss: i64, n: usize) -> (Vec<Value>, Vec<String>) {
    let mut items = vec![];
    let mut people = vec![];
    for i in 0..n {
        let (id, it) = phone.participant(site, if i % 2 == 0 { "female" } else { "male" }, 1990);
        people.push(id);
        items.push(it);
    }
    let group_id = new_id();
    items.push(item("group", &group_id, 0, group(site, pss, &people)));
    items.push(item(
        "record",
        &new_id(),
        0,
        session(site, pss, &group_id, &people),
    ));
    (items, people)
}

/// Pulls every page after `cursor`, counting how often each participant
/// came; returns the new cursor.
async fn pull_counting(
    api: &Api,
    cursor: Option<String>,
    seen: &mut HashMap<String, u32>,
) -> Option<String> {
    let mut cursor = cursor;
    loop {
        let page = pull_page(api, cursor.as_deref(), 7).await;
        assert_eq!(page["reset"], false);
        for c in page["changes"].as_array().unwrap() {
            if c["entity"] == "participant" {
                *seen
                    .entry(c["id"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if !page["more"].as_bool().unwrap() {
            return cursor;
        }
    }
}

fn assert_each_once(seen: &HashMap<String, u32>, pushed: &[String]) {
    for id in pushed {
        assert_eq!(
            seen.get(id),
            Some(&1),
            "participant {id} pulled {:?} times",
            seen.get(id)
        );
    }
    assert_eq!(
        seen.len(),
        pushed.len(),
        "pulled participants nobody pushed"
    );
}

#[tokio::test]
async fn a_push_that_commits_after_a_later_one_is_pulled_not_skipped() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let (a, b) = (
            app.site(&admin, "MOS-01").await,
            app.site(&admin, "DUH-02").await,
        );
        let pss = activity_type(&admin, "PSS").await;
        let mut early = Phone::new(app.user(&admin, "noor", "trainer", &[a]).await).await;
        let mut late = Phone::new(app.user(&admin, "sara", "trainer", &[b]).await).await;
        let coordinator = app.user(&admin, "coord", "coordinator", &[a, b]).await;
        let mut pushed = vec![];
        let mut seen = HashMap::new();

        // A first session at site A: its day's rollup row now exists.
        let (items, people) = batch(&mut early, a, pss, 2);
        early.push(&items).await;
        pushed.extend(people);
        let cursor = pull_counting(&coordinator, None, &mut seen).await;

        let (slow_items, slow_people) = batch(&mut early, a, pss, 3);
        let (quick_items, quick_people) = batch(&mut late, b, pss, 3);
        pushed.extend(slow_people.iter().cloned());
        pushed.extend(quick_people.iter().cloned());
        let cursor = if app.db.backend() == Backend::Postgres {
            // Hold site A's rollup row of today: the push at A writes its
            // participants and its feed entries, then waits for the row.
            let mut holder = app.db.begin().await.unwrap();
            sqlx::query("UPDATE activity_days SET minutes = minutes WHERE site_id = $1")
                .bind(a)
                .execute(&mut *holder)
                .await
                .unwrap();
            let slow = tokio::spawn(async move { early.push(&slow_items).await });
            wait_for_a_lock_wait(&app.db).await;
            // Meanwhile a push at site B starts later and commits first.
            let quick = late.push(&quick_items).await;
            assert!(quick.iter().all(|r| r["status"] == "stored"), "{quick:?}");
            let cursor = pull_counting(&coordinator, cursor, &mut seen).await;
            for id in &quick_people {
                assert_eq!(
                    seen.get(id),
                    Some(&1),
                    "the push that committed first is pulled"
                );
            }
            assert!(
                slow_people.iter().all(|id| !seen.contains_key(id)),
                "nothing of a push is pulled before it commits"
            );
            holder.rollback().await.unwrap();
            let slow = slow.await.unwrap();
            assert!(slow.iter().all(|r| r["status"] == "stored"), "{slow:?}");
            cursor
        } else {
            // SQLite has one writer: pushes commit in the order they start,
            // so there is no late commit to provoke; the pages still follow on.
            late.push(&quick_items).await;
            early.push(&slow_items).await;
            cursor
        };
        // The pull after the late commit brings it: nothing skipped, nothing twice.
        pull_counting(&coordinator, cursor, &mut seen).await;
        assert_each_once(&seen, &pushed);
    })
    .await;
}

/// Waits until some statement of this test's PostgreSQL database waits
/// for a lock (the push under test).
async fn wait_for_a_lock_wait(db: &sijil::store::Db) {
    for _ in 0..200 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the push never waited for the held row");
}

#[tokio::test]
async fn many_phones_pushing_at_once_are_pulled_each_change_once() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let pss = activity_type(&admin, "PSS").await;
        let mut sites = vec![];
        for i in 0..3 {
            sites.push(app.site(&admin, &format!("CFS-{i}")).await);
        }
        let coordinator = app.user(&admin, "coord", "coordinator", &sites).await;
        // Two phones per site, so pushes wait for each other at one site
        // and overtake each other across sites.
        let mut phones = vec![];
        for (i, site) in sites.iter().enumerate() {
            for j in 0..2 {
                let user = app
                    .user(&admin, &format!("t{i}{j}"), "trainer", &[*site])
                    .await;
                phones.push((Phone::new(user).await, *site));
            }
        }
        let pushers = phones.into_iter().map(|(mut phone, site)| {
            tokio::spawn(async move {
                let mut people = vec![];
                for _ in 0..4 {
                    let (items, ids) = batch(&mut phone, site, pss, 3);
                    let results = phone.push(&items).await;
                    assert!(
                        results.iter().all(|r| r["status"] == "stored"),
                        "{results:?}"
                    );
                    people.extend(ids);
                }
                people
            })
        });
        let pushers: Vec<_> = pushers.collect();
        // A puller pages through while the pushes land.
        let mut seen = HashMap::new();
        let mut cursor = None;
        while pushers.iter().any(|p| !p.is_finished()) {
            cursor = pull_counting(&coordinator, cursor, &mut seen).await;
        }
        let mut pushed = vec![];
        for p in pushers {
            pushed.extend(p.await.unwrap());
        }
        pull_counting(&coordinator, cursor, &mut seen).await;
        assert_eq!(pushed.len(), 6 * 4 * 3);
        assert_each_once(&seen, &pushed);
    })
    .await;
}

//! A lighter wire: phones may send their pushes gzip-compressed. The
//! inflated size stays bounded, and every refusal is the documented JSON.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sijil_e2e::field::{activity_type, group, item, new_id, session, Phone};
use sijil_e2e::{body, each_database, Api};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn push_raw(api: &Api, encoding: Option<&str>, bytes: Vec<u8>) -> reqwest::Response {
    let mut request = api
        .request(Method::POST, "/api/sync/push")
        .header(CONTENT_TYPE, "application/json");
    if let Some(encoding) = encoding {
        request = request.header(CONTENT_ENCODING, encoding);
    }
    request.body(bytes).send().await.expect("push")
}

#[tokio::test]
async fn a_compressed_push_of_fifty_sessions_is_stored_and_small_on_the_wire() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "DUH-07").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "hana", "trainer", &[site]).await).await;
        // A realistic day's backlog: five groups of 25, each met ten times,
        // 20 of the 25 present each time (who is absent varies).
        let mut registrations = vec![];
        let mut groups = vec![];
        for g in 0..5 {
            let mut members = vec![];
            for n in 0..25 {
                let (id, it) =
                    phone.participant(site, ["female", "male"][n % 2], 2010 + (n + g) as i64 % 8);
                members.push(id);
                registrations.push(it);
            }
            let group_id = new_id();
            registrations.push(item("group", &group_id, 0, group(site, pss, &members)));
            groups.push((group_id, members));
        }
        for batch in registrations.chunks(100) {
            assert!(phone
                .push(batch)
                .await
                .iter()
                .all(|r| r["status"] == "stored"));
        }
        let records: Vec<Value> = (0..50)
            .map(|n| {
                let (group_id, members) = &groups[n % 5];
                let present: Vec<String> = (0..25)
                    .filter(|m| (m * 7 + n * 3) % 25 >= 5)
                    .map(|m| members[m].clone())
                    .collect();
                assert_eq!(present.len(), 20);
                item(
                    "record",
                    &new_id(),
                    0,
                    session(site, pss, group_id, &present),
                )
            })
            .collect();
        let plain = serde_json::to_vec(&json!({ "items": records })).unwrap();
        let compressed = gzip(&plain);
        println!(
            "push of 50 records × 20 attendances: {} bytes plain, {} bytes gzip ({:.1}×)",
            plain.len(),
            compressed.len(),
            plain.len() as f64 / compressed.len() as f64
        );
        assert!(
            compressed.len() <= 10 * 1024,
            "{} bytes on the wire",
            compressed.len()
        );

        let res = push_raw(&phone.api, Some("gzip"), compressed.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let results = body(res).await["results"].as_array().unwrap().clone();
        assert_eq!(results.len(), 50);
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
        assert_eq!(app.count("activity_records").await, 50);
        assert_eq!(app.count("attendances").await, 1000);

        // The same compressed batch again: stored once.
        let res = push_raw(&phone.api, Some("GZIP"), compressed).await;
        let results = body(res).await["results"].as_array().unwrap().clone();
        assert!(
            results.iter().all(|r| r["status"] == "duplicate"),
            "{results:?}"
        );
        assert_eq!(app.count("activity_records").await, 50);
    })
    .await;
}

#[tokio::test]
async fn bombs_broken_streams_and_unknown_encodings_are_refused_in_json_and_write_nothing() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-03").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "rana", "trainer", &[site]).await).await;
        let (_, registration) = phone.participant(site, "female", 1990);
        let good = serde_json::to_vec(&json!({ "items": [registration] })).unwrap();
        let _ = pss;

        // 64 MB of spaces inside a valid JSON body compresses to ~64 KB:
        // the push limit (4 MB) applies to what it inflates to.
        let mut bomb = b"{\"items\": [".to_vec();
        bomb.extend(std::iter::repeat_n(b' ', 64 * 1024 * 1024));
        bomb.extend(b"]}");
        let bomb = gzip(&bomb);
        assert!(bomb.len() < 256 * 1024);
        let res = push_raw(&phone.api, Some("gzip"), bomb).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body(res).await["error"], "payload_too_large");

        // Not gzip at all, though it says so.
        let res = push_raw(&phone.api, Some("gzip"), good.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(body(res).await["error"].is_string());

        // A cut-off stream.
        let mut cut = gzip(&good);
        cut.truncate(cut.len() / 2);
        let res = push_raw(&phone.api, Some("gzip"), cut).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(body(res).await["error"].is_string());

        // An encoding the server does not read.
        let res = push_raw(&phone.api, Some("br"), good.clone()).await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body(res).await["error"], "unsupported_media_type");

        assert_eq!(app.count("participants").await, 0);

        // And the plain body still works.
        let res = push_raw(&phone.api, None, good).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.count("participants").await, 1);
    })
    .await;
}

//! Builders for what phones push: participants, groups and the three kinds
//! of record, as the PWA shapes them.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::participants::code;
use uuid::Uuid;

use crate::{body, Api, TestApp};

/// Today on the server's calendar (UTC), as the phone would send it.
pub fn today() -> String {
    sijil::validate::dates::format(sijil::validate::dates::today())
}

pub fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// A phone: its user's client and the code prefix the server gave it.
pub struct Phone {
    pub api: Api,
    pub prefix: String,
    next: u32,
}

impl Phone {
    pub async fn new(api: Api) -> Phone {
        let res = api.post("/api/participants/prefixes", json!({})).await;
        // Mobilisers register nobody, so they get no prefix.
        let prefix = match res.status() {
            StatusCode::FORBIDDEN => String::new(),
            status => {
                assert_eq!(status, StatusCode::CREATED);
                body(res).await["prefix"].as_str().unwrap().to_string()
            }
        };
        Phone {
            api,
            prefix,
            next: 1,
        }
    }

    /// The next participant code under this phone's prefix.
    pub fn next_code(&mut self) -> String {
        let c = code::display(&code::code_for(&self.prefix, self.next).unwrap());
        self.next += 1;
        c
    }

    /// A new participant at `site_id` (item and id).
    pub fn participant(&mut self, site_id: i64, sex: &str, birth_year: i64) -> (String, Value) {
        let id = new_id();
        let data = json!({ "code": self.next_code(), "site_id": site_id, "sex": sex, "birth_year": birth_year,
            "disability": "no", "displacement": "idp", "registered_on": today() });
        (id.clone(), item("participant", &id, 0, data))
    }

    /// Pushes `items`; returns the per-item results.
    pub async fn push(&self, items: &[Value]) -> Vec<Value> {
        let res = self
            .api
            .post("/api/sync/push", json!({ "items": items }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        body(res).await["results"].as_array().unwrap().clone()
    }
}

pub fn item(kind: &str, id: &str, base_version: i64, data: Value) -> Value {
    json!({ "type": kind, "id": id, "base_version": base_version, "data": data, "device_time": "2026-11-23T09:00:00+03:00" })
}

pub fn deletion(kind: &str, id: &str, base_version: i64) -> Value {
    json!({ "type": kind, "id": id, "base_version": base_version, "deleted": true })
}

pub fn group(site_id: i64, activity_type_id: i64, members: &[String]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({ "participant_id": m, "joined_on": today() }))
        .collect();
    json!({ "site_id": site_id, "activity_type_id": activity_type_id, "name": "Women's PSS group, cycle 1", "members": members })
}

pub fn session(site_id: i64, activity_type_id: i64, group_id: &str, present: &[String]) -> Value {
    json!({ "kind": "group_session", "activity_type_id": activity_type_id, "site_id": site_id, "group_id": group_id,
        "date": today(), "start_time": "10:00", "duration_minutes": 90, "topic": "Coping with stress", "attendance": present })
}

pub fn awareness_event(site_id: i64, activity_type_id: i64, women: i64, men: i64) -> Value {
    json!({ "kind": "awareness_event", "activity_type_id": activity_type_id, "site_id": site_id, "date": today(),
        "duration_minutes": 60, "topic": "Where to get help", "place_note": "Market square",
        "tallies": [{ "sex": "female", "age_band": "25-59", "count": women }, { "sex": "male", "age_band": "18-24", "count": men }], "tally_disabled": 1 })
}

/// The id of the seeded activity type with `code`.
pub async fn activity_type(api: &Api, code: &str) -> i64 {
    let types = body(api.get("/api/activity-types").await).await;
    types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// One page of changes after `cursor` (from the beginning when `None`).
pub async fn pull_page(api: &Api, cursor: Option<&str>, limit: i64) -> Value {
    let path = match cursor {
        Some(c) => format!("/api/sync/pull?limit={limit}&cursor={c}"),
        None => format!("/api/sync/pull?limit={limit}"),
    };
    let res = api.get(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await
}

/// Pulls every page from `cursor`; returns the changes and the final cursor.
pub async fn pull_all(api: &Api, cursor: Option<&str>, page: i64) -> (Vec<Value>, String) {
    let mut cursor = cursor.map(str::to_string);
    let mut changes = vec![];
    loop {
        let page_body = pull_page(api, cursor.as_deref(), page).await;
        changes.extend(page_body["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(page_body["cursor"].as_str().unwrap().to_string());
        if !page_body["more"].as_bool().unwrap() {
            return (changes, cursor.unwrap());
        }
    }
}

impl TestApp {
    /// Rows of `table` whose `column` equals `value`.
    pub async fn count_where(&self, table: &str, column: &str, value: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
            .bind(value)
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }
}

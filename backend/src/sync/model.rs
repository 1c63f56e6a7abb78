//! What push and pull send and answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::changes::model::ItemResult;

/// Most items one push may carry; phones send their outbox in slices.
pub const MAX_ITEMS: usize = 200;
/// A full push of 200 records with big rosters fits; anything larger is refused.
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;
pub const DEFAULT_PAGE: i64 = 500;
pub const MAX_PAGE: i64 = 1000;

/// A batch from a phone's outbox.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    /// Each `{type: participant|group|record|referral, id (UUID), base_version (0 for new), deleted?, data?, device_time?}`.
    /// Items are read one by one, so one malformed item is answered on its own.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PushAnswer {
    /// One answer per item, in the order sent.
    pub results: Vec<ItemResult>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor of the previous page; absent for everything.
    pub cursor: Option<String>,
    /// Changes per page (default 500, at most 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// `site`, `activity_type`, `participant`, `group`, `record`, `visitor`
    /// `lock` (a site's locked month, id `<site_id>:<YYYY-MM>`; deleted when unlocked),
    /// `service` (a directory entry; deleted when it no longer concerns the
    /// user's areas) or `referral` (the user's own, with its status).
    pub entity: String,
    pub id: String,
    /// The item's version (participants, groups, records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub deleted: bool,
    /// The item as the phone knows it; absent when deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub data: Option<Value>,
    /// Records: the review status and the reviewer's comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// A participant (or visitor) merged into another: the survivor's
    /// participant id. The phone points what it holds at the survivor and
    /// drops this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub status: String,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub changes: Vec<Change>,
    /// Pass it back to get what follows.
    pub cursor: String,
    /// More changes wait: pull again at once.
    pub more: bool,
    /// The phone must drop what it pulled before and apply this page onto nothing.
    pub reset: bool,
    /// The server's database went back in time (restored from a backup):
    /// the phone offers again what it sent in the last `keep_sent_days`;
    /// what the server still has is answered `duplicate`.
    pub restored: bool,
    /// How many days the phone keeps what it sent, for that.
    pub keep_sent_days: u32,
}

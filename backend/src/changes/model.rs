//! What changed, as phones name it in a pull, and what the server answers
//! for each pushed item.

use serde::Serialize;

use crate::refusal::Refusals;
use crate::store::Flag;

/// What kind of thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Site,
    ActivityType,
    Participant,
    Group,
    Record,
    /// A participant of another site who attended at one of the puller's
    /// sites, in the minimal form other sites see (id `<participant>@<site>`).
    Visitor,
    /// A site's locked month (id `<site_id>:<YYYY-MM>`): phones show its
    /// records as locked; an unlock reaches them as a deletion.
    Lock,
    /// A service of the directory (docs/design.md §9), for phones whose
    /// areas it serves; deleted for the others.
    Service,
    /// A referral, for the phone of the person who made it.
    Referral,
}

impl Entity {
    pub const ALL: [Entity; 9] = [
        Entity::Site,
        Entity::ActivityType,
        Entity::Participant,
        Entity::Group,
        Entity::Record,
        Entity::Visitor,
        Entity::Lock,
        Entity::Service,
        Entity::Referral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Site => "site",
            Entity::ActivityType => "activity_type",
            Entity::Participant => "participant",
            Entity::Group => "group",
            Entity::Record => "record",
            Entity::Visitor => "visitor",
            Entity::Lock => "lock",
            Entity::Service => "service",
            Entity::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// What the shared rule reads of a stored item; each kind's stored row
/// carries it (records carry more: what their rollups and locks need).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Head {
    pub version: i64,
    #[sqlx(try_from = "Flag")]
    pub deleted: bool,
    /// The content as last stored, canonical JSON.
    pub payload: String,
    pub site_id: i64,
    /// Who made it (for "own records only" rules).
    pub owner: i64,
}

impl AsRef<Head> for Head {
    fn as_ref(&self) -> &Head {
        self
    }
}

/// What the server says about one pushed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Written now; `version` is the new version.
    Stored,
    /// Already stored with this content: nothing changed.
    Duplicate,
    /// The server has a newer version; `server` is its copy.
    Conflict,
    /// Refused; `errors` says why, per field.
    Invalid,
}

impl Status {
    /// The answer as phones read it (and metrics label it).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Stored => "stored",
            Status::Duplicate => "duplicate",
            Status::Conflict => "conflict",
            Status::Invalid => "invalid",
        }
    }
}

/// The server's copy of an item, returned with a conflict.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServerCopy {
    pub version: i64,
    pub deleted: bool,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// The item's id, as sent (or its position when no id could be read).
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerCopy>,
    /// Why it was refused, field by field: codes the app translates (crate::refusal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Refusals>,
}

impl ItemResult {
    pub fn invalid(id: impl Into<String>, errors: Refusals) -> ItemResult {
        ItemResult {
            id: id.into(),
            status: Status::Invalid,
            version: None,
            server: None,
            errors: Some(errors),
        }
    }

    pub fn with(id: &str, status: Status, version: i64) -> ItemResult {
        ItemResult {
            id: id.to_string(),
            status,
            version: Some(version),
            server: None,
            errors: None,
        }
    }

    /// A conflict, carrying the server's copy so the phone can show it.
    pub fn conflict(id: &str, stored: &Head) -> ItemResult {
        let data = serde_json::from_str(&stored.payload).unwrap_or(serde_json::Value::Null);
        ItemResult {
            id: id.to_string(),
            status: Status::Conflict,
            version: Some(stored.version),
            server: Some(ServerCopy {
                version: stored.version,
                deleted: stored.deleted,
                data,
            }),
            errors: None,
        }
    }

    /// Whether the item was written (the caller keeps its savepoint).
    pub fn wrote(&self) -> bool {
        self.status == Status::Stored
    }
}

#[cfg(test)]
mod tests {
    use super::Entity;

    #[test]
    fn entities_round_trip() {
        for e in Entity::ALL {
            assert_eq!(Entity::parse(e.as_str()), Some(e));
        }
        assert_eq!(Entity::parse("user"), None);
    }
}

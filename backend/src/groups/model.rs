//! A recurring group as a phone sends it: its site, activity type,
//! facilitators and roster.

use serde::{Deserialize, Serialize};

use crate::changes::item::SyncData;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::{dates, Checker};

/// Largest roster a group may have.
pub const MAX_MEMBERS: usize = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub participant_id: String,
    pub joined_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupData {
    pub site_id: i64,
    pub activity_type_id: i64,
    pub name: String,
    #[serde(default)]
    pub facilitator_ids: Vec<i64>,
    #[serde(default)]
    pub members: Vec<Member>,
    /// The weekdays the group meets (ISO: 1 = Monday … 7 = Sunday); a
    /// facilitator is reminded on such a day when nothing is recorded by the
    /// configured hour (`crate::push`). Left out when empty, so payloads
    /// stored before it existed stay canonical.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<u8>,
}

impl SyncData for GroupData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        self.name = check.text("name", &self.name, 1, 120);
        if self.members.len() > MAX_MEMBERS {
            check.fail(
                "members",
                Refusal::new(RefusalCode::TooManyPeople).max(MAX_MEMBERS as i64),
            );
        }
        self.facilitator_ids.sort_unstable();
        self.facilitator_ids.dedup();
        self.weekdays.sort_unstable();
        self.weekdays.dedup();
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            check.fail(
                "weekdays",
                Refusal::new(RefusalCode::OutOfRange).min(1).max(7),
            );
        }
        self.members
            .sort_by(|a, b| a.participant_id.cmp(&b.participant_id));
        if self
            .members
            .windows(2)
            .any(|w| w[0].participant_id == w[1].participant_id)
        {
            check.fail("members", RefusalCode::ListedTwice);
        }
        for m in &mut self.members {
            m.participant_id = m.participant_id.trim().to_lowercase();
            match dates::parse(&m.joined_on) {
                None => check.fail("members", RefusalCode::NotADate),
                Some(joined) => match m.left_on.as_deref().map(dates::parse) {
                    Some(None) => check.fail("members", RefusalCode::NotADate),
                    Some(Some(left)) if left < joined => {
                        check.fail("members", RefusalCode::LeftBeforeJoined)
                    }
                    _ => {}
                },
            }
        }
        self
    }

    fn site_id(&self) -> i64 {
        self.site_id
    }
}

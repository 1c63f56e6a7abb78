//! Records as coordinators read and review them, and the month locks that
//! close a reviewed month.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::{dates, Checker};

/// The review states a record moves through.
pub const REVIEW_STATUSES: [&str; 3] = ["submitted", "approved", "flagged"];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    pub site_id: Option<i64>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// `submitted`, `approved` or `flagged`.
    pub status: Option<String>,
    pub limit: Option<i64>,
}

/// A drill-down request, checked: every bound given or defaulted.
#[derive(Debug, Clone)]
pub struct RecordFilter {
    pub site_id: Option<i64>,
    pub from: String,
    pub to: String,
    /// Empty: any status.
    pub status: String,
    pub limit: i64,
}

impl RecordQuery {
    pub fn parse(self) -> Result<RecordFilter, ApiError> {
        let mut check = Checker::new();
        for (field, value) in [("from", &self.from), ("to", &self.to)] {
            if value.as_deref().is_some_and(|d| dates::parse(d).is_none()) {
                check.fail(field, "must be a date like 2026-03-31");
            }
        }
        if self
            .status
            .as_deref()
            .is_some_and(|s| !REVIEW_STATUSES.contains(&s))
        {
            check.fail("status", "must be submitted, approved or flagged");
        }
        check.finish(RecordFilter {
            site_id: self.site_id,
            from: self.from.unwrap_or_else(|| "0000-01-01".into()),
            to: self.to.unwrap_or_else(|| "9999-12-31".into()),
            status: self.status.unwrap_or_default(),
            limit: self.limit.unwrap_or(200).clamp(1, 1000),
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct RecordSummary {
    pub id: String,
    pub kind: String,
    pub activity_type_id: i64,
    pub site_id: i64,
    pub group_id: Option<String>,
    pub date: String,
    pub duration_minutes: i64,
    pub topic: Option<String>,
    pub attendances: i64,
    pub head_count: i64,
    pub recorded_by: String,
    pub review_status: String,
    pub review_comment: Option<String>,
    pub version: i64,
    /// When the server first received it (Unix milliseconds).
    pub received_at: i64,
    /// First received more than the configured number of days after it
    /// happened (see [`is_late_entry`]).
    #[sqlx(default)]
    pub late_entry: bool,
}

impl RecordSummary {
    /// Marks the record late by [`is_late_entry`].
    pub fn with_late_entry(mut self, late_entry_days: i64) -> RecordSummary {
        self.late_entry = is_late_entry(&self.date, self.received_at, late_entry_days);
        self
    }
}

/// Whether a record dated `date` and first received at `received_at_ms` was
/// entered more than `days` days after it happened (by the server's UTC
/// calendar). Worked out when read, so a changed setting applies to every
/// record alike.
pub fn is_late_entry(date: &str, received_at_ms: i64, days: i64) -> bool {
    let Some(happened) = crate::validate::dates::parse(date) else {
        return false;
    };
    let received_day = received_at_ms.div_euclid(86_400_000);
    let happened_day = (happened
        - time::Date::from_calendar_date(1970, time::Month::January, 1).expect("epoch"))
    .whole_days();
    received_day - happened_day > days
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Attendee {
    /// The participant's code; names never leave the phone that registered them.
    pub code: String,
    pub sex: String,
    /// Absent for a visitor (registered at a site outside the reader's
    /// scope): her birth year stays with her own site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i64>,
    /// Her age band in the year of the activity.
    pub age_band: String,
    pub has_disability: bool,
    pub displacement: String,
    /// Registered at a site outside the reader's scope.
    pub visitor: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct TallyRow {
    pub sex: String,
    pub age_band: String,
    pub count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordDetail {
    #[serde(flatten)]
    pub summary: RecordSummary,
    pub notes: Option<String>,
    pub place_note: Option<String>,
    pub attendance: Vec<Attendee>,
    pub tallies: Vec<TallyRow>,
    pub tally_disabled: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `approved` or `flagged`.
    pub status: String,
    /// Required when flagging: what the recorder should check.
    pub comment: Option<String>,
}

/// A review decision, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub status: String,
    pub comment: Option<String>,
}

impl ReviewBody {
    pub fn parse(self) -> Result<Review, ApiError> {
        let mut check = Checker::new();
        let comment = check.optional_text("comment", self.comment.as_deref(), 500);
        match self.status.as_str() {
            "approved" => {}
            "flagged" if comment.is_none() => {
                check.fail("comment", "say what the recorder should check")
            }
            "flagged" => {}
            _ => check.fail("status", "must be approved or flagged"),
        }
        check.finish(Review {
            status: self.status,
            comment,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct MonthLock {
    pub site_id: i64,
    pub month: String,
    pub locked_by: i64,
    pub locked_at: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// `YYYY-MM`.
    pub month: String,
}

impl LockBody {
    pub fn parse(self) -> Result<String, ApiError> {
        if valid_month(&self.month) {
            Ok(self.month)
        } else {
            Err(ApiError::invalid_field(
                "month",
                "must be a month like 2026-10",
            ))
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockBody {
    pub month: String,
    /// Why the month reopens; kept in the audit log.
    pub reason: String,
}

impl UnlockBody {
    /// The month and the reason, checked.
    pub fn parse(self) -> Result<(String, String), ApiError> {
        let mut check = Checker::new();
        let reason = check.text("reason", &self.reason, 3, 500);
        check.finish((self.month, reason))
    }
}

fn valid_month(month: &str) -> bool {
    month.len() == 7
        && month.as_bytes()[4] == b'-'
        && month[..4].parse::<u16>().is_ok()
        && month[5..]
            .parse::<u8>()
            .is_ok_and(|m| (1..=12).contains(&m))
}

/// What a phone is told when a change would touch a locked month.
pub fn locked_refusal(month: &str) -> Refusal {
    Refusal::new(RefusalCode::MonthLocked).values([month])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_received_more_than_the_set_days_after_it_happened_is_late() {
        let day = 86_400_000;
        // 2026-03-01 is day 20513 since 1970-01-01.
        let received = |d: i64| (20513 + d) * day + 3_600_000;
        assert!(!is_late_entry("2026-03-01", received(7), 7));
        assert!(is_late_entry("2026-03-01", received(8), 7));
        assert!(!is_late_entry("2026-03-01", received(0), 0));
        assert!(!is_late_entry("not a date", received(30), 7));
    }

    #[test]
    fn flagging_needs_a_comment() {
        let flag = |comment: Option<&str>| ReviewBody {
            status: "flagged".into(),
            comment: comment.map(str::to_string),
        };
        assert!(flag(None).parse().is_err());
        assert_eq!(
            flag(Some(" check the date "))
                .parse()
                .unwrap()
                .comment
                .as_deref(),
            Some("check the date")
        );
        let approve = ReviewBody {
            status: "approved".into(),
            comment: None,
        };
        assert!(approve.parse().is_ok());
    }

    #[test]
    fn months_are_year_dash_month() {
        assert!(valid_month("2026-10"));
        assert!(!valid_month("2026-13"));
        assert!(!valid_month("2026/10"));
        assert!(!valid_month("26-10"));
    }
}

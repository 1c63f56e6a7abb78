//! A referral's shapes and rules: what a phone sends, the status machine,
//! who may move it, and when it is overdue (docs/design.md §9).

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::access::Role;
use crate::changes::item::SyncData;
use crate::participants::code;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::{dates, Checker};

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Referred,
    Accepted,
    Declined,
    ServiceReceived,
    NotReached,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Referred,
        Status::Accepted,
        Status::Declined,
        Status::ServiceReceived,
        Status::NotReached,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Referred => "referred",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::ServiceReceived => "service_received",
            Status::NotReached => "not_reached",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether `to` follows from `self`: referred → accepted / declined;
    /// accepted → service received / not reached; any answer that ends it
    /// → closed.
    pub fn leads_to(self, to: Status) -> bool {
        matches!(
            (self, to),
            (Status::Referred, Status::Accepted | Status::Declined)
                | (
                    Status::Accepted,
                    Status::ServiceReceived | Status::NotReached
                )
                | (
                    Status::Declined | Status::ServiceReceived | Status::NotReached,
                    Status::Closed
                )
        )
    }

    /// The referral's column that dates reaching this status.
    pub fn date_column(self) -> Option<&'static str> {
        match self {
            Status::Referred => None,
            Status::Accepted => Some("accepted_on"),
            Status::Declined => Some("declined_on"),
            Status::ServiceReceived => Some("service_on"),
            Status::NotReached => Some("not_reached_on"),
            Status::Closed => Some("closed_on"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Urgent,
    Emergency,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::Urgent => "urgent",
            Urgency::Emergency => "emergency",
        }
    }
}

/// How far back a referral's date may go.
pub const MAX_AGE_DAYS: i64 = 366;
/// The longest routing note, where notes are switched on.
pub const NOTE_MAX: usize = 200;
/// The reason a refusal for missing consent carries; the online answer
/// turns it into the `consent_required` code.
pub const NO_CONSENT: &str = "consent_required: no referral is made without the person's consent";

/// What a phone sends to refer someone: only what routes the referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralData {
    /// The person's participant code, as on her card.
    pub participant_code: String,
    /// The referring site.
    pub site_id: i64,
    pub service_id: i64,
    pub referred_on: String,
    pub urgency: Urgency,
    /// Whether the person agreed to be referred; must be true.
    #[serde(default)]
    pub consent: bool,
    /// A short routing note, only where the programme switches notes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SyncData for ReferralData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        match code::normalise(&self.participant_code).filter(|c| code::is_valid(c)) {
            Some(c) => self.participant_code = c,
            None => check.fail("participant_code", RefusalCode::NotAParticipantCode),
        }
        self.referred_on = check.past_date("referred_on", &self.referred_on);
        if let Some(d) = dates::parse(&self.referred_on) {
            if d < dates::today() - Duration::days(MAX_AGE_DAYS) {
                check.fail("referred_on", Refusal::new(RefusalCode::TooLongAgo).max(1));
            }
        }
        if !self.consent {
            check.fail("consent", RefusalCode::ConsentRequired);
        }
        self.note = check.optional_text("note", self.note.as_deref(), NOTE_MAX);
        self
    }

    fn site_id(&self) -> i64 {
        self.site_id
    }
}

/// Which sides of a referral a user stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sides {
    /// They made it, or coordinate the site it was made from.
    pub referring: bool,
    /// It is addressed to the partner of one of their sites.
    pub receiving: bool,
}

/// Whether `role`, standing on `sides`, may move a referral to `to`. The
/// receiving side answers (accepted, declined, service received, not
/// reached); for an outside organisation, with no users here, the
/// referring side records the answers it hears. Either side closes.
pub fn may_move(role: Role, sides: Sides, to_partner: Option<i64>, to: Status) -> bool {
    match role {
        Role::Admin => true,
        Role::Mobiliser => false,
        Role::Coordinator | Role::Trainer => match to {
            Status::Referred => false,
            Status::Closed => sides.referring || sides.receiving,
            _ if to_partner.is_some() => sides.receiving,
            _ => sides.referring,
        },
    }
}

/// The date before which a referral still `referred` is overdue today.
pub fn overdue_before(today: Date, overdue_days: i64) -> Date {
    today - Duration::days(overdue_days)
}

/// Whether a referral is overdue: no answer more than `overdue_days` days
/// after it was made.
pub fn is_overdue(status: Status, referred_on: &str, today: Date, overdue_days: i64) -> bool {
    status == Status::Referred
        && dates::parse(referred_on).is_some_and(|d| d < overdue_before(today, overdue_days))
}

/// Checks the date of a step: a date, not before `after` (the referral's
/// latest date so far), not in the future.
pub fn step_date(on: Option<&str>, after: &str, today: Date) -> Result<String, String> {
    let date = match on {
        None => today,
        Some(text) => dates::parse(text.trim()).ok_or("must be a date like 2026-03-31")?,
    };
    if date > today + Duration::days(1) {
        return Err("is in the future".into());
    }
    if dates::parse(after).is_some_and(|a| date < a) {
        return Err(format!(
            "must not be before {after}, the referral's last step"
        ));
    }
    Ok(dates::format(date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn statuses_follow_the_machine_and_nothing_else() {
        use Status::*;
        let allowed = [
            (Referred, Accepted),
            (Referred, Declined),
            (Accepted, ServiceReceived),
            (Accepted, NotReached),
            (Declined, Closed),
            (ServiceReceived, Closed),
            (NotReached, Closed),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    from.leads_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
            assert_eq!(Status::parse(from.as_str()), Some(from));
        }
    }

    #[test]
    fn the_receiving_side_answers_and_either_side_closes() {
        let receiving = Sides {
            referring: false,
            receiving: true,
        };
        let referring = Sides {
            referring: true,
            receiving: false,
        };
        assert!(may_move(
            Role::Trainer,
            receiving,
            Some(2),
            Status::Accepted
        ));
        assert!(!may_move(
            Role::Trainer,
            referring,
            Some(2),
            Status::Accepted
        ));
        // An outside organisation's answers are recorded by the referring side.
        assert!(may_move(
            Role::Coordinator,
            referring,
            None,
            Status::Accepted
        ));
        assert!(may_move(Role::Trainer, referring, Some(2), Status::Closed));
        assert!(!may_move(
            Role::Mobiliser,
            receiving,
            Some(2),
            Status::Accepted
        ));
        assert!(may_move(
            Role::Admin,
            Sides::default(),
            Some(2),
            Status::Declined
        ));
    }

    #[test]
    fn overdue_is_strictly_after_the_configured_days_and_only_unanswered() {
        let today = date!(2026 - 11 - 30);
        assert!(!is_overdue(Status::Referred, "2026-11-16", today, 14));
        assert!(is_overdue(Status::Referred, "2026-11-15", today, 14));
        assert!(!is_overdue(Status::Accepted, "2026-01-01", today, 14));
    }

    #[test]
    fn a_step_is_dated_between_the_last_step_and_today() {
        let today = date!(2026 - 11 - 30);
        assert_eq!(step_date(None, "2026-11-01", today).unwrap(), "2026-11-30");
        assert_eq!(
            step_date(Some("2026-11-02"), "2026-11-01", today).unwrap(),
            "2026-11-02"
        );
        assert!(step_date(Some("2026-10-31"), "2026-11-01", today).is_err());
        assert!(step_date(Some("2026-12-05"), "2026-11-01", today).is_err());
        assert!(step_date(Some("soon"), "2026-11-01", today).is_err());
    }

    #[test]
    fn no_consent_no_referral() {
        let data = ReferralData {
            participant_code: "k7m-42qx".into(),
            site_id: 1,
            service_id: 1,
            referred_on: dates::format(dates::today()),
            urgency: Urgency::Routine,
            consent: false,
            note: None,
        };
        let mut check = Checker::new();
        data.normalise(&mut check);
        let errors = check.into_errors();
        assert_eq!(errors["consent"].code, RefusalCode::ConsentRequired);
    }
}

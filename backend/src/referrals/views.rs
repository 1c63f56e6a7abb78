//! What the API answers about referrals, and the queries it reads.

use serde::{Deserialize, Serialize};
use time::Date;

use super::model::{is_overdue, ReferralData, Status, Urgency};
use crate::records::model::AgeBand;
use crate::store::Flag;

/// A referral as read, with the sides the reader stands on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReferralRow {
    pub id: String,
    pub participant_code: String,
    pub sex: String,
    pub birth_year: i64,
    #[sqlx(try_from = "Flag")]
    pub has_disability: bool,
    pub displacement: String,
    pub from_site_id: i64,
    pub from_site_name: String,
    pub referred_by: i64,
    pub referred_by_name: String,
    pub service_id: i64,
    pub service_name: String,
    pub category: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub to_partner_id: Option<i64>,
    pub referred_on: String,
    pub urgency: String,
    pub note: Option<String>,
    pub status: String,
    pub accepted_on: Option<String>,
    pub declined_on: Option<String>,
    pub service_on: Option<String>,
    pub not_reached_on: Option<String>,
    pub closed_on: Option<String>,
    pub version: i64,
    /// When the server first stored it (ms): the second key of a list's order.
    pub received_at: i64,
    #[sqlx(try_from = "Flag")]
    pub referring: bool,
    #[sqlx(try_from = "Flag")]
    pub receiving: bool,
}

impl ReferralRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Referred)
    }

    /// The latest date the referral has reached (a new step may not be earlier).
    pub fn last_date(&self) -> String {
        [
            Some(&self.referred_on),
            self.accepted_on.as_ref(),
            self.declined_on.as_ref(),
            self.service_on.as_ref(),
            self.not_reached_on.as_ref(),
            self.closed_on.as_ref(),
        ]
        .into_iter()
        .flatten()
        .max()
        .cloned()
        .unwrap_or_default()
    }

    /// The answer, overdue worked out for `today`.
    pub fn view(self, today: Date, overdue_days: i64, steps: Option<Vec<Step>>) -> Referral {
        let overdue = is_overdue(self.status(), &self.referred_on, today, overdue_days);
        let band = AgeBand::at(self.birth_year, today.year() as i64);
        Referral {
            participant: Person {
                code: if self.participant_code.len() == crate::participants::code::CODE_LEN {
                    crate::participants::code::display(&self.participant_code)
                } else {
                    self.participant_code.clone()
                },
                sex: self.sex,
                age_band: band.as_str().into(),
                has_disability: self.has_disability,
                displacement: self.displacement,
            },
            from_site: Named {
                id: self.from_site_id,
                name: self.from_site_name,
            },
            referred_by: Named {
                id: self.referred_by,
                name: self.referred_by_name,
            },
            service: ServiceRef {
                id: self.service_id,
                name: self.service_name,
                category: self.category,
            },
            organisation: OrganisationRef {
                id: self.organisation_id,
                name: self.organisation_name,
                partner_id: self.to_partner_id,
            },
            id: self.id,
            referred_on: self.referred_on,
            urgency: self.urgency,
            note: self.note,
            status: self.status,
            accepted_on: self.accepted_on,
            declined_on: self.declined_on,
            service_on: self.service_on,
            not_reached_on: self.not_reached_on,
            closed_on: self.closed_on,
            overdue,
            version: self.version,
            steps,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub code: String,
    pub sex: String,
    /// This year's age band.
    pub age_band: String,
    pub has_disability: bool,
    pub displacement: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceRef {
    pub id: i64,
    pub name: String,
    pub category: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationRef {
    pub id: i64,
    pub name: String,
    pub partner_id: Option<i64>,
}

/// One status change, dated and by whom.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Step {
    pub status: String,
    pub on: String,
    pub by_id: i64,
    pub by_name: String,
}

/// A referral as the API answers it (docs/design.md §9).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Referral {
    pub id: String,
    pub participant: Person,
    pub from_site: Named,
    pub referred_by: Named,
    pub service: ServiceRef,
    pub organisation: OrganisationRef,
    pub referred_on: String,
    pub urgency: String,
    pub note: Option<String>,
    pub status: String,
    pub accepted_on: Option<String>,
    pub declined_on: Option<String>,
    pub service_on: Option<String>,
    pub not_reached_on: Option<String>,
    pub closed_on: Option<String>,
    /// Still unanswered more than the overdue days after it was made.
    pub overdue: bool,
    pub version: i64,
    /// Every status change (one referral's read only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<Step>>,
}

/// `POST /referrals`: the content a phone pushes, with the phone's id.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// A UUID made by the client; the same id and content again is stored once.
    pub id: String,
    pub participant_code: String,
    pub site_id: i64,
    pub service_id: i64,
    pub referred_on: String,
    pub urgency: Urgency,
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl ReferralInput {
    pub fn split(self) -> (String, ReferralData) {
        (
            self.id,
            ReferralData {
                participant_code: self.participant_code,
                site_id: self.site_id,
                service_id: self.service_id,
                referred_on: self.referred_on,
                urgency: self.urgency,
                consent: self.consent,
                note: self.note,
            },
        )
    }
}

/// Which referrals a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Made from the reader's sites (a trainer: made by them).
    #[default]
    Made,
    /// Addressed to the partners of the reader's sites.
    Received,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Made => "made",
            Side::Received => "received",
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `made` (default) or `received`.
    pub side: Option<Side>,
    /// Only referrals at this status.
    pub status: Option<Status>,
    /// Only overdue ones.
    pub overdue: Option<bool>,
    /// Only referrals made from this site.
    pub site_id: Option<i64>,
    /// At most this many, newest first (default 100, at most 500).
    pub limit: Option<i64>,
    /// Only referrals after this one in the list's order: the previous
    /// page's `next_before`.
    pub before: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralList {
    pub referrals: Vec<Referral>,
    /// The overdue threshold in days, as configured.
    pub overdue_days: i64,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<String>,
}

/// Where a page of a list ends, in its order (`referred_on`, then
/// `received_at`, then `id`, each newest or highest first). Given back to
/// the client as one opaque word, `2026-11-20_1763600000000_<uuid>`:
/// keyset paging, so a referral made or moved while someone pages is
/// neither skipped nor shown twice, and a page costs the same at any depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageEnd {
    pub referred_on: String,
    pub received_at: i64,
    pub id: String,
}

impl PageEnd {
    pub fn of(row: &ReferralRow) -> PageEnd {
        PageEnd {
            referred_on: row.referred_on.clone(),
            received_at: row.received_at,
            id: row.id.clone(),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}_{}_{}", self.referred_on, self.received_at, self.id)
    }

    /// A page end as [`PageEnd::encode`] wrote it, or `None`.
    pub fn parse(text: &str) -> Option<PageEnd> {
        let mut parts = text.splitn(3, '_');
        let referred_on = crate::validate::dates::parse(parts.next()?)?;
        let received_at = parts.next()?.parse::<i64>().ok().filter(|ms| *ms >= 0)?;
        let id = uuid::Uuid::parse_str(parts.next()?)
            .ok()?
            .hyphenated()
            .to_string();
        Some(PageEnd {
            referred_on: crate::validate::dates::format(referred_on),
            received_at,
            id,
        })
    }
}

/// `POST /referrals/{id}/status`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub status: Status,
    /// When it happened (default: today).
    pub on: Option<String>,
    /// The version the change is based on; someone else's change since is a 409.
    pub version: i64,
}

/// What the SQL of a list filters on (already checked).
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub side: Side,
    pub status: Option<Status>,
    /// Referrals made before this date that are still `referred` (overdue).
    pub overdue_before: Option<String>,
    pub site_id: Option<i64>,
    /// Only referrals after this one in the list's order.
    pub before: Option<PageEnd>,
}

#[cfg(test)]
mod tests {
    use super::PageEnd;

    #[test]
    fn a_page_end_reads_back_what_it_wrote_and_nothing_else() {
        let end = PageEnd {
            referred_on: "2026-11-20".into(),
            received_at: 1_763_600_000_000,
            id: "0b9d5a52-6c1e-4f53-9a43-1f6f1c0b7e21".into(),
        };
        assert_eq!(PageEnd::parse(&end.encode()), Some(end));
        for bad in [
            "",
            "2026-11-20",
            "2026-11-20_12",
            "2026-13-01_12_0b9d5a52-6c1e-4f53-9a43-1f6f1c0b7e21",
            "2026-11-20_-1_0b9d5a52-6c1e-4f53-9a43-1f6f1c0b7e21",
            "2026-11-20_12_not-a-uuid",
            "2026-11-20_12_0b9d5a52-6c1e-4f53-9a43-1f6f1c0b7e21\u{0}",
        ] {
            assert_eq!(PageEnd::parse(bad), None, "{bad}");
        }
    }
}

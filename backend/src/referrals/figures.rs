//! Referral figures, defined once for the API and the exports
//! (docs/design.md §9): made, accepted, declined, completed (service
//! received) and overdue, the median days to acceptance and to service,
//! by a grouping and by the person (sex × age band × disability ×
//! displacement). Plain functions over the rows the store reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::model::{is_overdue, Status};
use super::views::Side;
use crate::records::model::AgeBand;
use crate::store::Flag;
use crate::validate::dates;

/// One referral as the figures count it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FigureRow {
    pub referred_on: String,
    pub status: String,
    pub accepted_on: Option<String>,
    pub declined_on: Option<String>,
    pub service_on: Option<String>,
    pub category: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub site_id: i64,
    pub site_name: String,
    pub partner_id: i64,
    pub partner_name: String,
    /// The referring site's area, and its parent (a district's governorate).
    pub area_id: i64,
    pub area_parent: Option<i64>,
    pub sex: String,
    pub birth_year: i64,
    #[sqlx(try_from = "Flag")]
    pub has_disability: bool,
    pub displacement: String,
}

/// An area's P-code and English name, for labels and exports.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AreaName {
    pub id: i64,
    pub pcode: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Category,
    Organisation,
    Site,
    District,
    Governorate,
    Partner,
    Month,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Category => "category",
            GroupBy::Organisation => "organisation",
            GroupBy::Site => "site",
            GroupBy::District => "district",
            GroupBy::Governorate => "governorate",
            GroupBy::Partner => "partner",
            GroupBy::Month => "month",
        }
    }

    /// The HXL hashtags of a group's label and code columns.
    pub fn hxl(self) -> (&'static str, &'static str) {
        match self {
            GroupBy::Category => ("#sector+name", "#sector+code"),
            GroupBy::Organisation => ("#org+recipient+name", "#org+recipient+code"),
            GroupBy::Site => ("#loc+name", "#loc+code"),
            GroupBy::District => ("#adm2+name", "#adm2+code"),
            GroupBy::Governorate => ("#adm1+name", "#adm1+code"),
            GroupBy::Partner => ("#org+impl+name", "#org+impl+code"),
            GroupBy::Month => ("#date+month", "#date+month+code"),
        }
    }
}

/// The counts every group carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub made: i64,
    pub accepted: i64,
    pub declined: i64,
    /// The service was received.
    pub completed: i64,
    pub overdue: i64,
    /// The median of days from referral to acceptance, over the accepted.
    pub median_days_to_acceptance: Option<f64>,
    /// The median of days from referral to the service, over the completed.
    pub median_days_to_service: Option<f64>,
}

/// Counts as they are summed, with the day spans kept for the medians.
#[derive(Debug, Clone, Default)]
struct Tally {
    counts: Counts,
    to_acceptance: Vec<i64>,
    to_service: Vec<i64>,
}

impl Tally {
    fn add(&mut self, r: &Judged) {
        self.counts.made += 1;
        self.counts.accepted += r.accepted.is_some() as i64;
        self.counts.declined += r.declined as i64;
        self.counts.completed += r.served.is_some() as i64;
        self.counts.overdue += r.overdue as i64;
        self.to_acceptance.extend(r.accepted);
        self.to_service.extend(r.served);
    }

    fn finish(mut self) -> Counts {
        self.counts.median_days_to_acceptance = median(&mut self.to_acceptance);
        self.counts.median_days_to_service = median(&mut self.to_service);
        self.counts
    }
}

/// The median (the mean of the middle two for an even count); `None` for none.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

/// One referral judged: days to acceptance and to service, declined, overdue.
struct Judged {
    accepted: Option<i64>,
    served: Option<i64>,
    declined: bool,
    overdue: bool,
}

fn days_between(from: &str, to: Option<&String>) -> Option<i64> {
    let (from, to) = (dates::parse(from)?, dates::parse(to?)?);
    Some((to - from).whole_days())
}

fn judge(r: &FigureRow, today: Date, overdue_days: i64) -> Judged {
    let status = Status::parse(&r.status).unwrap_or(Status::Referred);
    Judged {
        accepted: days_between(&r.referred_on, r.accepted_on.as_ref()),
        served: days_between(&r.referred_on, r.service_on.as_ref()),
        declined: r.declined_on.is_some(),
        overdue: is_overdue(status, &r.referred_on, today, overdue_days),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub key: String,
    pub label: String,
    /// The P-code, for districts and governorates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcode: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonGroup {
    pub sex: String,
    pub age_band: String,
    pub has_disability: bool,
    pub displacement: String,
    pub made: i64,
    pub accepted: i64,
    pub completed: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodView {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralFigures {
    pub period: PeriodView,
    pub side: Side,
    pub group_by: Option<GroupBy>,
    pub overdue_days: i64,
    pub totals: Counts,
    pub groups: Vec<Group>,
    pub by_person: Vec<PersonGroup>,
}

/// The key, label and P-code of `r`'s group.
fn group_of(
    r: &FigureRow,
    by: GroupBy,
    areas: &BTreeMap<i64, AreaName>,
) -> (String, String, Option<String>) {
    let area = |id: i64| {
        areas.get(&id).map_or_else(
            || (id.to_string(), id.to_string(), None),
            |a| (id.to_string(), a.name_en.clone(), Some(a.pcode.clone())),
        )
    };
    match by {
        GroupBy::Category => (r.category.clone(), r.category.clone(), None),
        GroupBy::Organisation => (
            r.organisation_id.to_string(),
            r.organisation_name.clone(),
            None,
        ),
        GroupBy::Site => (r.site_id.to_string(), r.site_name.clone(), None),
        GroupBy::Partner => (r.partner_id.to_string(), r.partner_name.clone(), None),
        // A site placed on a governorate only has no district.
        GroupBy::District => match r.area_parent {
            Some(_) => area(r.area_id),
            None => ("none".into(), "(no district)".into(), None),
        },
        GroupBy::Governorate => area(r.area_parent.unwrap_or(r.area_id)),
        GroupBy::Month => {
            let month = r.referred_on.get(..7).unwrap_or_default().to_string();
            (month.clone(), month, None)
        }
    }
}

/// Counts `rows` as of `today`: the totals, the groups of `by`, the
/// person split.
pub fn compute(
    rows: &[FigureRow],
    by: Option<GroupBy>,
    areas: &BTreeMap<i64, AreaName>,
    today: Date,
    overdue_days: i64,
) -> (Counts, Vec<Group>, Vec<PersonGroup>) {
    let mut total = Tally::default();
    let mut groups: BTreeMap<String, (String, Option<String>, Tally)> = BTreeMap::new();
    let mut people: BTreeMap<(String, AgeBand, bool, String), Counts> = BTreeMap::new();
    for r in rows {
        let judged = judge(r, today, overdue_days);
        total.add(&judged);
        if let Some(by) = by {
            let (key, label, pcode) = group_of(r, by, areas);
            groups
                .entry(key)
                .or_insert_with(|| (label, pcode, Tally::default()))
                .2
                .add(&judged);
        }
        let year = r
            .referred_on
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        let band = AgeBand::at(r.birth_year, year);
        let person = people
            .entry((
                r.sex.clone(),
                band,
                r.has_disability,
                r.displacement.clone(),
            ))
            .or_default();
        person.made += 1;
        person.accepted += judged.accepted.is_some() as i64;
        person.completed += judged.served.is_some() as i64;
        person.overdue += judged.overdue as i64;
    }
    let groups = groups
        .into_iter()
        .map(|(key, (label, pcode, tally))| Group {
            key,
            label,
            pcode,
            counts: tally.finish(),
        })
        .collect();
    let by_person = people
        .into_iter()
        .map(
            |((sex, band, has_disability, displacement), c)| PersonGroup {
                sex,
                age_band: band.as_str().into(),
                has_disability,
                displacement,
                made: c.made,
                accepted: c.accepted,
                completed: c.completed,
                overdue: c.overdue,
            },
        )
        .collect();
    (total.finish(), groups, by_person)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// `2026-11-05`, `2026-W45`, `2026-11` or `2026-Q4`; or `from` and `to`.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub group_by: Option<GroupBy>,
    /// `made` (default): from the caller's sites; `received`: addressed to their partners.
    pub side: Option<Side>,
    pub site_id: Option<i64>,
    pub district_id: Option<i64>,
    pub governorate_id: Option<i64>,
    pub partner_id: Option<i64>,
    /// Exports: `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Exports: HXL hashtags under the header.
    pub hxl: Option<bool>,
    /// Exports: `groups` (default) or `person`.
    pub table: Option<String>,
}

/// The place a figures request is narrowed to: kind (1 site, 2 district,
/// 3 governorate, 4 partner) and id; (0, 0) for the whole scope.
pub fn place(q: &FiguresQuery) -> Result<(i64, i64), &'static str> {
    let asked: Vec<(i64, i64)> = [
        (1, q.site_id),
        (2, q.district_id),
        (3, q.governorate_id),
        (4, q.partner_id),
    ]
    .into_iter()
    .filter_map(|(k, id)| id.map(|id| (k, id)))
    .collect();
    match asked.as_slice() {
        [] => Ok((0, 0)),
        [one] => Ok(*one),
        _ => Err("ask for one place at a time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(category: &str, referred_on: &str, status: &str) -> FigureRow {
        FigureRow {
            referred_on: referred_on.into(),
            status: status.into(),
            accepted_on: None,
            declined_on: None,
            service_on: None,
            category: category.into(),
            organisation_id: 1,
            organisation_name: "Org".into(),
            site_id: 1,
            site_name: "Site".into(),
            partner_id: 1,
            partner_name: "Partner".into(),
            area_id: 15,
            area_parent: None,
            sex: "female".into(),
            birth_year: 2000,
            has_disability: false,
            displacement: "idp".into(),
        }
    }

    #[test]
    fn medians_take_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(3.5));
    }

    #[test]
    fn figures_count_each_step_reached_whatever_came_after() {
        let today = date!(2026 - 11 - 30);
        let mut served = row("legal_aid", "2026-11-01", "closed");
        served.accepted_on = Some("2026-11-03".into());
        served.service_on = Some("2026-11-10".into());
        let mut accepted = row("legal_aid", "2026-11-02", "accepted");
        accepted.accepted_on = Some("2026-11-06".into());
        let waiting = row("health", "2026-11-01", "referred");
        let mut declined = row("health", "2026-11-20", "declined");
        declined.declined_on = Some("2026-11-21".into());
        let rows = [served, accepted, waiting, declined];
        let (totals, groups, people) =
            compute(&rows, Some(GroupBy::Category), &BTreeMap::new(), today, 14);
        assert_eq!(
            (
                totals.made,
                totals.accepted,
                totals.declined,
                totals.completed,
                totals.overdue
            ),
            (4, 2, 1, 1, 1)
        );
        assert_eq!(totals.median_days_to_acceptance, Some(3.0));
        assert_eq!(totals.median_days_to_service, Some(9.0));
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (groups[1].key.as_str(), groups[1].counts.made),
            ("legal_aid", 2)
        );
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].age_band, "25-59");
    }
}

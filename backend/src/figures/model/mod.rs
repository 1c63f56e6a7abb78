//! What a figures request says and what it answers; the figures
//! themselves ([`figures`]) and targets ([`targets`]).

mod figures;
mod targets;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use figures::{Buckets, Figures, Filter, Grouping, ReachedRow, SplitRow, Totals};
pub use targets::{achieved, Target, TargetInput, TargetQuery, INDICATORS};

use super::period::Period;
use crate::error::ApiError;
use crate::validate::{dates, Checker};

/// What every figures request may say.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// `programme` (default), `governorate:ID`, `district:ID`, `partner:ID` or `site:ID`.
    pub scope: Option<String>,
    /// `2026-10-05`, `2026-W40`, `2026-10` or `2026-Q3`; or give `from` and `to`.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub activity_type_id: Option<i64>,
    /// `group_session`, `awareness_event`, `cfs_day` or `individual_session`.
    pub kind: Option<String>,
    /// Count flagged records (default true).
    pub include_flagged: Option<bool>,
    /// Break down by `next` (the level below the scope), `governorate`,
    /// `district`, `site`, `partner`, `month`, `week`, `type` (activity
    /// type) or `kind`.
    pub group: Option<String>,
    /// Each group carries its splits and head counts too (default false).
    pub splits: Option<bool>,
    /// Exports: `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Exports: add an HXL hashtag row under the header.
    pub hxl: Option<bool>,
}

/// A figures request read and checked, before the database says which
/// sites and types it covers.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub place: Place,
    pub period: Period,
    pub activity_type_id: Option<i64>,
    pub kind: Option<&'a str>,
    pub include_flagged: bool,
}

/// The longest period one request may cover.
const MAX_PERIOD_DAYS: i64 = 3 * 366;

impl FiguresQuery {
    pub fn parse(&self) -> Result<Asked<'_>, ApiError> {
        let mut check = Checker::new();
        let place = check.parse(
            "scope",
            self.scope.as_deref().unwrap_or("programme"),
            Place::parse,
            "must be programme, or governorate:ID, district:ID, partner:ID, site:ID",
        );
        let period = match (&self.period, &self.from, &self.to) {
            (Some(p), None, None) => check.parse(
                "period",
                p,
                Period::parse,
                "must be a day (2026-10-05), ISO week (2026-W40), month (2026-10) or quarter (2026-Q3)",
            ),
            (None, Some(from), Some(to)) => {
                let range = Period::from_range(from, to);
                if range.is_none() {
                    check.fail("from", "from and to must be dates like 2026-03-31, from before to");
                }
                range
            }
            (None, None, None) => Some(Period::parse(&dates::format(dates::today())[..7]).expect("this month parses")),
            _ => {
                check.fail("period", "give either period, or from and to");
                None
            }
        };
        if period.is_some_and(|p| p.days() > MAX_PERIOD_DAYS) {
            check.fail("period", "at most three years at once");
        }
        let kind = self.kind.as_deref();
        if kind.is_some_and(|k| crate::activity_types::ActivityKind::parse(k).is_none()) {
            check.fail(
                "kind",
                "must be group_session, awareness_event, cfs_day or individual_session",
            );
        }
        check.finish(())?;
        Ok(Asked {
            place: place.expect("checked"),
            period: period.expect("checked"),
            activity_type_id: self.activity_type_id,
            kind,
            include_flagged: self.include_flagged.unwrap_or(true),
        })
    }

    /// The breakdown asked for, if any: how to bucket, and its name.
    pub fn grouping(&self, place: Place) -> Result<Option<(Grouping, &'static str)>, ApiError> {
        match self.group.as_deref() {
            None => Ok(None),
            Some(g) => grouping_for(g, place).map(Some).ok_or_else(|| {
                ApiError::invalid_field(
                    "group",
                    "must be next, governorate, district, site, partner, month, week, type or kind",
                )
            }),
        }
    }

    /// The export format: `csv` (default) or `xlsx`.
    pub fn format(&self) -> Result<&'static str, ApiError> {
        match self.format.as_deref().unwrap_or("csv") {
            "csv" => Ok("csv"),
            "xlsx" => Ok("xlsx"),
            _ => Err(ApiError::invalid_field("format", "must be csv or xlsx")),
        }
    }
}

/// Where figures are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Programme,
    Governorate(i64),
    District(i64),
    Partner(i64),
    Site(i64),
}

impl Place {
    /// Reads `programme`, `governorate:ID`, `district:ID`, `partner:ID` or `site:ID`.
    pub fn parse(text: &str) -> Option<Place> {
        if text == "programme" {
            return Some(Place::Programme);
        }
        let (kind, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        Some(match kind {
            "governorate" => Place::Governorate(id),
            "district" => Place::District(id),
            "partner" => Place::Partner(id),
            "site" => Place::Site(id),
            _ => return None,
        })
    }

    pub fn kind(self) -> &'static str {
        match self {
            Place::Programme => "programme",
            Place::Governorate(_) => "governorate",
            Place::District(_) => "district",
            Place::Partner(_) => "partner",
            Place::Site(_) => "site",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Place::Programme => None,
            Place::Governorate(id) | Place::District(id) | Place::Partner(id) | Place::Site(id) => {
                Some(id)
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
    /// How many sites the figures cover.
    pub sites: usize,
}

/// A request resolved: the place, its sites, the period, the filter.
pub struct Request {
    pub scope: ScopeView,
    pub place: Place,
    pub period: Period,
    pub filter: Filter,
}

fn grouping_for(group: &str, place: Place) -> Option<(Grouping, &'static str)> {
    Some(match group {
        "next" => match place {
            Place::Programme => (Grouping::Governorate, "governorate"),
            Place::Governorate(_) => (Grouping::District, "district"),
            Place::District(_) | Place::Partner(_) => (Grouping::Site, "site"),
            Place::Site(_) => (Grouping::Month, "month"),
        },
        "governorate" => (Grouping::Governorate, "governorate"),
        "district" => (Grouping::District, "district"),
        "site" => (Grouping::Site, "site"),
        "partner" => (Grouping::Partner, "partner"),
        "month" => (Grouping::Month, "month"),
        "week" => (Grouping::Week, "week"),
        "type" => (Grouping::Type, "type"),
        "kind" => (Grouping::Kind, "kind"),
        _ => return None,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupFigures {
    /// The bucket: an id (site, district, governorate, partner, activity type), a kind, `YYYY-MM` or `YYYY-Www`; null for "no district".
    pub key: Option<String>,
    pub label: String,
    pub totals: Totals,
    /// The bucket's splits by sex × age band × disability × displacement
    /// (with `splits=true`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub split: Vec<SplitRow>,
    /// The bucket's head counts by sex × age band (with `splits=true`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<ReachedRow>,
    /// Unique, new and completed participants are counted for every
    /// bucket, weeks included (kept for clients that read it).
    pub participants_counted: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresAnswer {
    pub scope: ScopeView,
    pub from: String,
    pub to: String,
    pub include_flagged: bool,
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub groups: Vec<GroupFigures>,
}

/// Names each bucket from `names` (site, district, governorate, partner,
/// activity type); months, weeks and kinds name themselves. The splits
/// stay only when `splits` is asked.
pub fn labelled(
    buckets: Buckets,
    names: &BTreeMap<String, String>,
    splits: bool,
) -> Vec<GroupFigures> {
    buckets
        .into_iter()
        .map(|(key, figures)| {
            let label = match &key {
                None => "No district".to_string(),
                Some(k) => names.get(k).cloned().unwrap_or_else(|| k.clone()),
            };
            GroupFigures {
                key,
                label,
                totals: figures.totals,
                split: if splits { figures.split } else { vec![] },
                reached: if splits { figures.reached } else { vec![] },
                participants_counted: true,
            }
        })
        .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteRow {
    pub site_id: i64,
    pub code: String,
    pub name: String,
    pub partner: String,
    pub district: Option<String>,
    pub governorate: String,
    /// The place names in Arabic and Sorani (the English ones above).
    pub district_ar: Option<String>,
    pub district_ckb: Option<String>,
    pub governorate_ar: String,
    pub governorate_ckb: String,
    pub active: bool,
    /// The latest day anything was recorded there (any period).
    pub last_activity: Option<String>,
    pub totals: Totals,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_parse_and_say_their_kind() {
        assert_eq!(Place::parse("programme"), Some(Place::Programme));
        assert_eq!(Place::parse("district:12"), Some(Place::District(12)));
        assert_eq!(Place::parse("district:x"), None);
        assert_eq!(Place::parse("camp:1"), None);
        assert_eq!(Place::Site(3).kind(), "site");
        assert_eq!(Place::Partner(4).id(), Some(4));
    }

    #[test]
    fn the_next_level_down_follows_the_place() {
        assert_eq!(
            grouping_for("next", Place::Programme).unwrap().0,
            Grouping::Governorate
        );
        assert_eq!(
            grouping_for("next", Place::Site(1)).unwrap().0,
            Grouping::Month
        );
        assert!(grouping_for("year", Place::Programme).is_none());
    }
}

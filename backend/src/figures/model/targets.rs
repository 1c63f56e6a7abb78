//! Targets: what a site or the whole programme planned to reach in a
//! period, measured against the figures.

use serde::{Deserialize, Serialize};

use super::{Figures, Totals};
use crate::error::ApiError;
use crate::figures::period::Period;
use crate::records::model::AgeBand;
use crate::validate::Checker;

/// The years a target's period may lie in, and its longest span (as for
/// any figures request): a target is measured again on every read.
const TARGET_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
const MAX_TARGET_DAYS: i64 = 3 * 366;

/// The indicators a target may be set for.
pub const INDICATORS: [&str; 7] = [
    "activities",
    "attendances",
    "unique_participants",
    "reached_by_head_count",
    "new_participants",
    "completed",
    "hours",
];

/// The indicators that split by sex and age band (the others, activities
/// and hours, belong to no one person).
pub const SPLIT_INDICATORS: [&str; 5] = [
    "attendances",
    "unique_participants",
    "reached_by_head_count",
    "new_participants",
    "completed",
];

/// The value of `indicator` in `figures`; with a sex or an age band, only
/// the split cells (or head counts) that match them.
pub fn achieved(
    indicator: &str,
    figures: &Figures,
    sex: Option<&str>,
    age_band: Option<&str>,
) -> f64 {
    if sex.is_none() && age_band.is_none() {
        return total(indicator, &figures.totals);
    }
    let fits = |s: &str, b: &str| sex.is_none_or(|x| x == s) && age_band.is_none_or(|x| x == b);
    if indicator == "reached_by_head_count" {
        return figures
            .reached
            .iter()
            .filter(|r| fits(&r.sex, &r.age_band))
            .map(|r| r.count)
            .sum::<i64>() as f64;
    }
    figures
        .split
        .iter()
        .filter(|r| fits(&r.sex, &r.age_band))
        .map(|r| match indicator {
            "attendances" => r.attendances,
            "unique_participants" => r.unique_participants,
            "new_participants" => r.new_participants,
            "completed" => r.completed,
            _ => 0,
        })
        .sum::<i64>() as f64
}

/// The value of `indicator` in `totals`.
fn total(indicator: &str, totals: &Totals) -> f64 {
    match indicator {
        "activities" => totals.activities as f64,
        "attendances" => totals.attendances as f64,
        "unique_participants" => totals.unique_participants as f64,
        "reached_by_head_count" => totals.reached_by_head_count as f64,
        "new_participants" => totals.new_participants as f64,
        "completed" => totals.completed as f64,
        "hours" => totals.hours,
        _ => 0.0,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub indicator: String,
    /// Null: the whole programme.
    pub site_id: Option<i64>,
    /// Null: every activity type.
    pub activity_type_id: Option<i64>,
    /// Null: both sexes.
    pub sex: Option<String>,
    /// Null: every age band.
    pub age_band: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub value: i64,
    /// What the figures say so far (flagged records included).
    #[sqlx(skip)]
    pub achieved: f64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    /// Only this site's targets (and the programme's).
    pub site_id: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub indicator: String,
    /// Absent: a programme target (admins, or coordinators of every site).
    pub site_id: Option<i64>,
    /// Only this activity type's figures.
    pub activity_type_id: Option<i64>,
    /// Only `female` or `male` (indicators about people).
    pub sex: Option<String>,
    /// Only this age band, e.g. `12-17` (indicators about people).
    pub age_band: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub value: i64,
}

impl TargetInput {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut check = Checker::new();
        if !INDICATORS.contains(&self.indicator.as_str()) {
            check.fail(
                "indicator",
                format!("must be one of {}", INDICATORS.join(", ")),
            );
        }
        match Period::from_range(&self.period_start, &self.period_end) {
            None => check.fail(
                "period_end",
                "period_start and period_end must be dates, start before end",
            ),
            Some(p)
                if !TARGET_YEARS.contains(&p.from.year())
                    || !TARGET_YEARS.contains(&p.to.year()) =>
            {
                check.fail("period_start", "must lie between 2000 and 2100")
            }
            Some(p) if p.days() > MAX_TARGET_DAYS => {
                check.fail("period_end", "a target covers at most three years")
            }
            Some(_) => {}
        }
        if let Some(sex) = &self.sex {
            if !["female", "male"].contains(&sex.as_str()) {
                check.fail("sex", "must be female or male");
            }
        }
        if let Some(band) = &self.age_band {
            if !AgeBand::ALL.iter().any(|b| b.as_str() == band) {
                check.fail("age_band", "must be 0-5, 6-11, 12-17, 18-24, 25-59 or 60+");
            }
        }
        if (self.sex.is_some() || self.age_band.is_some())
            && INDICATORS.contains(&self.indicator.as_str())
            && !SPLIT_INDICATORS.contains(&self.indicator.as_str())
        {
            check.fail(
                "indicator",
                "activities and hours do not split by sex or age band",
            );
        }
        check.int_range("value", self.value, 0, 100_000_000);
        check.finish(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::model::{ReachedRow, SplitRow};

    #[test]
    fn a_target_by_sex_and_age_band_counts_only_its_cells() {
        let row = |sex: &str, band: &str, unique| SplitRow {
            sex: sex.into(),
            age_band: band.into(),
            unique_participants: unique,
            ..SplitRow::default()
        };
        let figures = Figures {
            split: vec![
                row("female", "12-17", 3),
                row("female", "18-24", 2),
                row("male", "12-17", 5),
            ],
            totals: Totals {
                unique_participants: 10,
                ..Totals::default()
            },
            reached: vec![ReachedRow {
                sex: "male".into(),
                age_band: "60+".into(),
                count: 7,
            }],
        };
        assert_eq!(achieved("unique_participants", &figures, None, None), 10.0);
        assert_eq!(
            achieved("unique_participants", &figures, Some("female"), None),
            5.0
        );
        assert_eq!(
            achieved("unique_participants", &figures, None, Some("12-17")),
            8.0
        );
        assert_eq!(
            achieved("unique_participants", &figures, Some("male"), Some("12-17")),
            5.0
        );
        assert_eq!(
            achieved("reached_by_head_count", &figures, Some("male"), None),
            7.0
        );
    }
}

//! Targets: what a site or the whole programme planned to reach in a
//! period, measured against the figures.

use serde::{Deserialize, Serialize};

use super::Totals;
use crate::error::ApiError;
use crate::figures::period::Period;
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

/// The value of `indicator` in `totals`.
pub fn achieved(indicator: &str, totals: &Totals) -> f64 {
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
        check.int_range("value", self.value, 0, 100_000_000);
        check.finish(())
    }
}

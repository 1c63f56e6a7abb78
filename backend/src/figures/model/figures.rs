//! The figures themselves (docs/design.md §3): totals, splits by sex × age
//! band × disability × displacement, head counts, per bucket; and what to
//! count and how to bucket it.

use std::collections::BTreeMap;

use serde::Serialize;

/// What to count.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The sites counted; `None`: every site.
    pub sites: Option<Vec<i64>>,
    /// The activity types counted; `None`: every type.
    pub types: Option<Vec<i64>>,
    /// Whether flagged records count.
    pub include_flagged: bool,
    /// `false`: compute from the records alone (benchmarks, checks).
    pub use_rollups: bool,
}

/// How the figures are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    All,
    Site,
    District,
    Governorate,
    Partner,
    Month,
    /// Days (summable figures only).
    Day,
    /// ISO weeks (the parts of them inside the period), every figure.
    Week,
    /// Activity types: each bucket as if the request named that type
    /// ("new" means new to it).
    Type,
    /// Activity kinds (group session, awareness event, CFS day), likewise.
    Kind,
    /// Site × month × activity type, for exports.
    SiteMonthType,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Records, not deleted.
    pub activities: i64,
    /// Participant-presences at individually recorded activities.
    pub attendances: i64,
    /// Distinct participants present at least once.
    pub unique_participants: i64,
    /// Sum of head counts; never added into unique participants.
    pub reached_by_head_count: i64,
    /// Of the head counts, how many with a disability.
    pub reached_with_disability: i64,
    /// Registered in the period (by registration site).
    pub new_participants: i64,
    /// Unique participants with at least a type's cycle of attendances in it.
    pub completed: i64,
    pub hours: f64,
    /// Summed as whole minutes (exact in any order), shown as `hours`.
    #[serde(skip)]
    pub minutes: i64,
}

impl Totals {
    /// Adds the summable figures of `other` (never unique counts).
    pub fn add_summable(&mut self, other: &Totals) {
        self.activities += other.activities;
        self.attendances += other.attendances;
        self.reached_by_head_count += other.reached_by_head_count;
        self.reached_with_disability += other.reached_with_disability;
        self.minutes += other.minutes;
        self.hours = self.minutes as f64 / 60.0;
    }
}

/// Participant figures for one sex × age band × disability × displacement cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SplitRow {
    pub sex: String,
    pub age_band: String,
    pub disability: bool,
    pub displacement: String,
    pub unique_participants: i64,
    pub attendances: i64,
    pub new_participants: i64,
    pub completed: i64,
}

/// Head counts for one sex × age band cell.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReachedRow {
    pub sex: String,
    pub age_band: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub totals: Totals,
    pub split: Vec<SplitRow>,
    pub reached: Vec<ReachedRow>,
}

/// Figures per bucket key (`None`: sites with no district, for that grouping).
pub type Buckets = BTreeMap<Option<String>, Figures>;

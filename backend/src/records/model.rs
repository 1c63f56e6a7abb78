//! An activity record as a phone sends it. One model serves the three kinds;
//! each kind allows a different subset (attendance for group sessions and
//! CFS days, head counts for awareness events and for unregistered extras
//! at crowded group sessions).

use serde::{Deserialize, Serialize};

use crate::activity_types::ActivityKind;
use crate::participants::model::Sex;
use crate::sync::item::SyncData;
use crate::validate::Checker;

/// Age bands, from birth year at the activity date (DESIGN.md §2).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum AgeBand {
    #[serde(rename = "0-5")]
    Under6,
    #[serde(rename = "6-11")]
    From6To11,
    #[serde(rename = "12-17")]
    From12To17,
    #[serde(rename = "18-24")]
    From18To24,
    #[serde(rename = "25-59")]
    From25To59,
    #[serde(rename = "60+")]
    From60,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        AgeBand::Under6,
        AgeBand::From6To11,
        AgeBand::From12To17,
        AgeBand::From18To24,
        AgeBand::From25To59,
        AgeBand::From60,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under6 => "0-5",
            AgeBand::From6To11 => "6-11",
            AgeBand::From12To17 => "12-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To59 => "25-59",
            AgeBand::From60 => "60+",
        }
    }

    /// The oldest age in each band but the last: the one definition that
    /// both [`AgeBand::at`] and the figures' SQL ([`AgeBand::sql_case`]) use.
    const OLDEST: [(i64, AgeBand); 5] = [
        (5, AgeBand::Under6),
        (11, AgeBand::From6To11),
        (17, AgeBand::From12To17),
        (24, AgeBand::From18To24),
        (59, AgeBand::From25To59),
    ];

    /// The band of someone born in `birth_year` during `year`. Only the year
    /// of birth is known, so age is the difference of years.
    pub fn at(birth_year: i64, year: i64) -> AgeBand {
        let age = year - birth_year;
        AgeBand::OLDEST
            .iter()
            .find(|(oldest, _)| age <= *oldest)
            .map_or(AgeBand::From60, |(_, band)| *band)
    }

    /// SQL that names the band of the age `age` (an integer expression), so
    /// the database groups by band rather than returning a row per age.
    pub fn sql_case(age: &str) -> String {
        let arms: String = AgeBand::OLDEST
            .iter()
            .map(|(oldest, band)| format!(" WHEN {age} <= {oldest} THEN '{}'", band.as_str()))
            .collect();
        format!("(CASE{arms} ELSE '{}' END)", AgeBand::From60.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub sex: Sex,
    pub age_band: AgeBand,
    pub count: i64,
}

/// Bounds that catch typing slips (an extra zero) without getting in the
/// way of a big market-day event.
pub const MAX_TALLY_CELL: i64 = 5_000;
pub const MAX_ATTENDANCE: usize = 500;
pub const MAX_DURATION_MINUTES: i64 = 12 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordData {
    pub kind: ActivityKind,
    pub activity_type_id: i64,
    pub site_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    pub duration_minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<String>,
    #[serde(default)]
    pub facilitator_ids: Vec<i64>,
    /// Participant ids present (group sessions and CFS days).
    #[serde(default)]
    pub attendance: Vec<String>,
    /// Head counts (awareness events; extras at group sessions).
    #[serde(default)]
    pub tallies: Vec<Tally>,
    /// How many of the tallied people have a disability.
    #[serde(default)]
    pub tally_disabled: i64,
}

impl SyncData for RecordData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        self.date = check.past_date("date", &self.date);
        if let Some(t) = &self.start_time {
            let ok = t.len() == 5
                && t.as_bytes()[2] == b':'
                && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
                && t[3..].parse::<u8>().is_ok_and(|m| m < 60);
            if !ok {
                check.fail("start_time", "must be a time like 09:30");
            }
        }
        self.duration_minutes = check.int_range(
            "duration_minutes",
            self.duration_minutes,
            1,
            MAX_DURATION_MINUTES,
        );
        self.topic = check.optional_text("topic", self.topic.as_deref(), 200);
        self.place_note = check.optional_text("place_note", self.place_note.as_deref(), 200);
        self.notes = check.optional_text("notes", self.notes.as_deref(), 2000);
        self.materials = check.optional_text("materials", self.materials.as_deref(), 500);
        self.group_id = self.group_id.map(|g| g.trim().to_lowercase());
        self.facilitator_ids.sort_unstable();
        self.facilitator_ids.dedup();
        for id in &mut self.attendance {
            *id = id.trim().to_lowercase();
        }
        self.attendance.sort();
        if self.attendance.windows(2).any(|w| w[0] == w[1]) {
            check.fail("attendance", "a participant is listed twice");
        }
        if self.attendance.len() > MAX_ATTENDANCE {
            check.fail(
                "attendance",
                format!("at most {MAX_ATTENDANCE} participants in one record"),
            );
        }
        self.tallies.retain(|t| t.count != 0);
        self.tallies.sort_by_key(|t| (t.sex.as_str(), t.age_band));
        if self
            .tallies
            .windows(2)
            .any(|w| w[0].sex == w[1].sex && w[0].age_band == w[1].age_band)
        {
            check.fail("tallies", "one count per sex and age band");
        }
        if self
            .tallies
            .iter()
            .any(|t| !(0..=MAX_TALLY_CELL).contains(&t.count))
        {
            check.fail(
                "tallies",
                format!("each count must be between 0 and {MAX_TALLY_CELL}"),
            );
        }
        let tallied: i64 = self.tallies.iter().map(|t| t.count.max(0)).sum();
        if !(0..=tallied).contains(&self.tally_disabled) {
            check.fail("tally_disabled", "must be between 0 and the number counted");
        }
        match self.kind {
            ActivityKind::GroupSession => {
                if self.group_id.is_none() {
                    check.fail("group_id", "a group session belongs to a group");
                }
            }
            ActivityKind::CfsDay => {
                if self.group_id.is_some() {
                    check.fail("group_id", "a CFS day has no group");
                }
                if !self.tallies.is_empty() {
                    check.fail(
                        "tallies",
                        "a CFS day records the children present, not head counts",
                    );
                }
            }
            ActivityKind::AwarenessEvent => {
                if self.group_id.is_some() {
                    check.fail("group_id", "an awareness event has no group");
                }
                if !self.attendance.is_empty() {
                    check.fail(
                        "attendance",
                        "an awareness event records head counts, not names",
                    );
                }
                if tallied == 0 {
                    check.fail("tallies", "count at least one person");
                }
            }
        }
        self
    }

    fn site_id(&self) -> i64 {
        self.site_id
    }
}

impl RecordData {
    /// Year of the activity date (after normalising).
    pub fn year(&self) -> i64 {
        self.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_have_the_design_boundaries() {
        assert_eq!(AgeBand::at(2020, 2025), AgeBand::Under6);
        assert_eq!(AgeBand::at(2019, 2025), AgeBand::From6To11);
        assert_eq!(AgeBand::at(2008, 2025), AgeBand::From12To17);
        assert_eq!(AgeBand::at(2007, 2025), AgeBand::From18To24);
        assert_eq!(AgeBand::at(2000, 2025), AgeBand::From25To59);
        assert_eq!(AgeBand::at(1966, 2025), AgeBand::From25To59);
        assert_eq!(AgeBand::at(1965, 2025), AgeBand::From60);
    }

    fn event() -> RecordData {
        RecordData {
            kind: ActivityKind::AwarenessEvent,
            activity_type_id: 6,
            site_id: 1,
            group_id: None,
            date: crate::validate::dates::format(crate::validate::dates::today()),
            start_time: Some("09:30".into()),
            duration_minutes: 90,
            topic: Some("Safe referral".into()),
            place_note: None,
            notes: None,
            materials: None,
            facilitator_ids: vec![],
            attendance: vec![],
            tallies: vec![
                Tally {
                    sex: Sex::Male,
                    age_band: AgeBand::From25To59,
                    count: 12,
                },
                Tally {
                    sex: Sex::Female,
                    age_band: AgeBand::From18To24,
                    count: 30,
                },
            ],
            tally_disabled: 2,
        }
    }

    #[test]
    fn a_good_event_normalises_to_a_stable_order() {
        let mut check = Checker::new();
        let e = event().normalise(&mut check);
        assert!(check.is_ok());
        assert_eq!(e.tallies[0].sex, Sex::Female);
    }

    #[test]
    fn kinds_refuse_what_they_do_not_record() {
        let mut check = Checker::new();
        RecordData {
            attendance: vec!["a".into()],
            tallies: vec![],
            ..event()
        }
        .normalise(&mut check);
        let errors = check.into_errors();
        assert!(
            errors.contains_key("attendance") && errors.contains_key("tallies"),
            "{errors:?}"
        );
        let mut check = Checker::new();
        RecordData {
            kind: ActivityKind::GroupSession,
            ..event()
        }
        .normalise(&mut check);
        assert!(check.into_errors().contains_key("group_id"));
    }

    #[test]
    fn counts_are_bounded_and_disabled_cannot_exceed_the_total() {
        let mut check = Checker::new();
        RecordData {
            tallies: vec![
                Tally {
                    sex: Sex::Male,
                    age_band: AgeBand::From60,
                    count: -3,
                },
                Tally {
                    sex: Sex::Female,
                    age_band: AgeBand::From60,
                    count: 1,
                },
            ],
            tally_disabled: 5,
            ..event()
        }
        .normalise(&mut check);
        let errors = check.into_errors();
        assert!(
            errors.contains_key("tallies") && errors.contains_key("tally_disabled"),
            "{errors:?}"
        );
    }
}

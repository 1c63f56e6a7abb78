//! An activity record as a phone sends it. One model serves the four kinds;
//! each kind allows a different subset (attendance for group sessions and
//! CFS days, exactly one person for an individual session, head counts for
//! awareness events and for unregistered extras at crowded group sessions).

use serde::{Deserialize, Serialize};

use super::AgeBand;
use crate::access::Role;
use crate::activity_types::ActivityKind;
use crate::changes::item::SyncData;
use crate::participants::code;
use crate::participants::model::Sex;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::Checker;

/// Which kinds of record each role makes: mobilisers count heads at
/// awareness events and never hold participants; trainers run groups and CFS
/// days, hold awareness sessions at their sites and give the individual
/// sessions (in these programmes the psychosocial worker who runs a group is
/// the one who sees a person alone, by appointment or after a group);
/// coordinators and admins may enter any (typing in a paper register).
pub fn may_record(role: Role, kind: ActivityKind) -> bool {
    match role {
        Role::Admin | Role::Coordinator | Role::Trainer => true,
        Role::Mobiliser => kind == ActivityKind::AwarenessEvent,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub sex: Sex,
    pub age_band: AgeBand,
    pub count: i64,
}

/// The namespace of CFS-day ids (UUIDv5): every phone works out the same id
/// for one site's CFS day on one date, so two phones checking children in
/// offline make one record, whose attendance the server joins.
pub const CFS_DAY_NAMESPACE: &str = "c9f3a1de-5b7e-4d2a-9e61-3f0b8a7c2d45";

/// The id of `site_id`'s CFS day on `date` (`YYYY-MM-DD`): UUIDv5 of
/// `cfs-day:<site_id>:<date>` in [`CFS_DAY_NAMESPACE`].
pub fn cfs_day_id(site_id: i64, date: &str) -> String {
    use sha1::{Digest, Sha1};
    let namespace = uuid::Uuid::parse_str(CFS_DAY_NAMESPACE).expect("a valid namespace");
    let mut hash = Sha1::new();
    hash.update(namespace.as_bytes());
    hash.update(format!("cfs-day:{site_id}:{date}").as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
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
    /// Codes of people present whom the phone does not hold by id (typed
    /// or scanned from a card, perhaps offline): the server resolves each
    /// to its participant and stores the record with their ids in
    /// `attendance`, so what is stored and pulled never carries codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendance_codes: Vec<String>,
    /// The ids in `attendance` that came from `attendance_codes`: anyone in
    /// the programme may be recorded by the code on her card, while an id
    /// must be one the recorder's sites already know. Never sent or stored.
    #[serde(skip)]
    #[schema(ignore)]
    pub by_code: Vec<String>,
    /// Head counts (awareness events; extras at group sessions).
    #[serde(default)]
    pub tallies: Vec<Tally>,
    /// How many of the tallied people have a disability.
    #[serde(default)]
    pub tally_disabled: i64,
}

impl SyncData for RecordData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        self.normalise_when_and_what(check);
        self.normalise_people(check);
        let tallied = self.normalise_counts(check);
        self.check_kind(check, tallied);
        self
    }

    fn site_id(&self) -> i64 {
        self.site_id
    }
}

impl RecordData {
    /// Date, start time, duration and the free texts.
    fn normalise_when_and_what(&mut self, check: &mut Checker) {
        self.date = check.past_date("date", &self.date);
        if let Some(t) = &self.start_time {
            let ok = t.len() == 5
                && t.as_bytes()[2] == b':'
                && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
                && t[3..].parse::<u8>().is_ok_and(|m| m < 60);
            if !ok {
                check.fail("start_time", RefusalCode::NotATime);
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
        self.group_id = self.group_id.take().map(|g| g.trim().to_lowercase());
    }

    /// Facilitators and attendance: canonical ids, each once, in order.
    fn normalise_people(&mut self, check: &mut Checker) {
        self.facilitator_ids.sort_unstable();
        self.facilitator_ids.dedup();
        for id in &mut self.attendance {
            *id = id.trim().to_lowercase();
        }
        self.attendance.sort();
        if self.attendance.windows(2).any(|w| w[0] == w[1]) {
            check.fail("attendance", RefusalCode::ListedTwice);
        }
        let mut codes = Vec::with_capacity(self.attendance_codes.len());
        for typed in &self.attendance_codes {
            match code::normalise(typed) {
                Some(c) if code::is_valid(&c) => codes.push(c),
                Some(_) => check.fail(
                    "attendance_codes",
                    Refusal::new(RefusalCode::CheckCharacter).values([typed.as_str()]),
                ),
                None => check.fail(
                    "attendance_codes",
                    Refusal::new(RefusalCode::NotAParticipantCode).values([typed.as_str()]),
                ),
            }
        }
        codes.sort();
        codes.dedup();
        self.attendance_codes = codes;
        if self.attendance.len() + self.attendance_codes.len() > MAX_ATTENDANCE {
            check.fail(
                "attendance",
                Refusal::new(RefusalCode::TooManyPeople).max(MAX_ATTENDANCE as i64),
            );
        }
    }

    /// Head counts: one per sex and age band, bounded; returns how many
    /// were counted.
    fn normalise_counts(&mut self, check: &mut Checker) -> i64 {
        self.tallies.retain(|t| t.count != 0);
        self.tallies.sort_by_key(|t| (t.sex.as_str(), t.age_band));
        if self
            .tallies
            .windows(2)
            .any(|w| w[0].sex == w[1].sex && w[0].age_band == w[1].age_band)
        {
            check.fail("tallies", RefusalCode::OneCountPerCell);
        }
        if self
            .tallies
            .iter()
            .any(|t| !(0..=MAX_TALLY_CELL).contains(&t.count))
        {
            check.fail(
                "tallies",
                Refusal::new(RefusalCode::OutOfRange)
                    .min(0)
                    .max(MAX_TALLY_CELL),
            );
        }
        let tallied: i64 = self.tallies.iter().map(|t| t.count.max(0)).sum();
        if !(0..=tallied).contains(&self.tally_disabled) {
            check.fail("tally_disabled", RefusalCode::DisabledOverCount);
        }
        tallied
    }

    /// What each kind records: group sessions belong to a group; CFS days
    /// record who came; awareness events count heads; an individual session
    /// names exactly one person, by id or by the code on her card.
    fn check_kind(&self, check: &mut Checker, tallied: i64) {
        match self.kind {
            ActivityKind::GroupSession => {
                if self.group_id.is_none() {
                    check.fail("group_id", RefusalCode::GroupRequired);
                }
            }
            ActivityKind::CfsDay => {
                if self.group_id.is_some() {
                    check.fail("group_id", RefusalCode::NoGroup);
                }
                if !self.tallies.is_empty() {
                    check.fail("tallies", RefusalCode::NoHeadCounts);
                }
            }
            ActivityKind::IndividualSession => {
                if self.group_id.is_some() {
                    check.fail("group_id", RefusalCode::NoGroup);
                }
                if !self.tallies.is_empty() {
                    check.fail("tallies", RefusalCode::NoHeadCounts);
                }
                if self.attendance.len() + self.attendance_codes.len() != 1 {
                    check.fail("attendance", RefusalCode::ExactlyOnePerson);
                }
            }
            ActivityKind::AwarenessEvent => {
                if self.group_id.is_some() {
                    check.fail("group_id", RefusalCode::NoGroup);
                }
                if !self.attendance.is_empty() || !self.attendance_codes.is_empty() {
                    check.fail("attendance", RefusalCode::NoNames);
                }
                if tallied == 0 {
                    check.fail("tallies", RefusalCode::CountSomeone);
                }
            }
        }
    }

    /// Year of the activity date (after normalising).
    pub fn year(&self) -> i64 {
        self.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            attendance_codes: vec![],
            by_code: vec![],
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
    fn a_cfs_days_id_is_the_same_on_every_phone() {
        assert_eq!(
            cfs_day_id(12, "2026-03-01"),
            "091bba19-3913-5fcb-976d-9bd4b37c376b"
        );
        assert_ne!(cfs_day_id(12, "2026-03-02"), cfs_day_id(12, "2026-03-01"));
    }

    #[test]
    fn each_role_records_its_own_kinds() {
        assert!(may_record(Role::Trainer, ActivityKind::GroupSession));
        assert!(may_record(Role::Trainer, ActivityKind::CfsDay));
        assert!(may_record(Role::Trainer, ActivityKind::AwarenessEvent));
        assert!(may_record(Role::Mobiliser, ActivityKind::AwarenessEvent));
        assert!(!may_record(Role::Mobiliser, ActivityKind::GroupSession));
        assert!(may_record(Role::Coordinator, ActivityKind::CfsDay));
        assert!(may_record(Role::Trainer, ActivityKind::IndividualSession));
        assert!(may_record(
            Role::Coordinator,
            ActivityKind::IndividualSession
        ));
        assert!(!may_record(
            Role::Mobiliser,
            ActivityKind::IndividualSession
        ));
    }

    fn individual(attendance: &[&str], codes: &[&str]) -> RecordData {
        RecordData {
            kind: ActivityKind::IndividualSession,
            activity_type_id: 13,
            duration_minutes: 45,
            attendance: attendance.iter().map(|a| a.to_string()).collect(),
            attendance_codes: codes.iter().map(|c| c.to_string()).collect(),
            tallies: vec![],
            tally_disabled: 0,
            ..event()
        }
    }

    /// A valid code (check character included) for the tests.
    fn a_code() -> String {
        code::code_for("K7M", 42).unwrap()
    }

    #[test]
    fn an_individual_session_has_exactly_one_participant() {
        let code = a_code();
        for (attendance, codes) in [(vec!["a"], vec![]), (vec![], vec![code.as_str()])] {
            let mut check = Checker::new();
            individual(&attendance, &codes).normalise(&mut check);
            assert!(check.is_ok(), "{attendance:?} {codes:?}");
        }
        for (attendance, codes) in [
            (vec![], vec![]),
            (vec!["a", "b"], vec![]),
            (vec!["a"], vec![code.as_str()]),
        ] {
            let mut check = Checker::new();
            individual(&attendance, &codes).normalise(&mut check);
            let errors = check.into_errors();
            assert!(
                errors["attendance"].code == RefusalCode::ExactlyOnePerson,
                "{attendance:?} {codes:?}: {errors:?}"
            );
        }
    }

    #[test]
    fn an_individual_session_has_no_group_and_no_head_counts() {
        let mut check = Checker::new();
        RecordData {
            group_id: Some("g".into()),
            tallies: event().tallies,
            tally_disabled: 1,
            ..individual(&["a"], &[])
        }
        .normalise(&mut check);
        let errors = check.into_errors();
        assert!(
            errors.contains_key("group_id") && errors.contains_key("tallies"),
            "{errors:?}"
        );
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

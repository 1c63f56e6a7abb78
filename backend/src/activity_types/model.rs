//! An activity type as the API shows it, and the rules for changing one.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::store::Flag;
use crate::validate::Checker;

/// The four kinds of record. Group sessions and CFS days record who came;
/// awareness events record head counts; an individual session records the
/// one person seen (counselling, a psychosocial session, first aid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    GroupSession,
    AwarenessEvent,
    CfsDay,
    IndividualSession,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::GroupSession => "group_session",
            ActivityKind::AwarenessEvent => "awareness_event",
            ActivityKind::CfsDay => "cfs_day",
            ActivityKind::IndividualSession => "individual_session",
        }
    }

    /// The kind as stored, or `None` for a value this build does not know.
    pub fn parse(s: &str) -> Option<ActivityKind> {
        [
            ActivityKind::GroupSession,
            ActivityKind::AwarenessEvent,
            ActivityKind::CfsDay,
            ActivityKind::IndividualSession,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct ActivityType {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub label_en: String,
    pub label_ar: String,
    pub label_ckb: String,
    /// Group sessions: attendances that count as "completed the cycle".
    pub cycle_sessions: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeInput {
    pub kind: Option<ActivityKind>,
    pub code: Option<String>,
    pub label_en: Option<String>,
    pub label_ar: Option<String>,
    pub label_ckb: Option<String>,
    pub cycle_sessions: Option<i64>,
    pub active: Option<bool>,
}

/// An activity type's fields after checking; `None` leaves a field as it is.
pub struct TypeChanges {
    pub kind: Option<ActivityKind>,
    pub code: Option<String>,
    /// English, Arabic, Sorani.
    pub labels: [Option<String>; 3],
    pub cycle_sessions: Option<i64>,
    pub active: Option<bool>,
}

/// The cycle lengths a group-session type may have.
const CYCLE_SESSIONS: std::ops::RangeInclusive<i64> = 1..=200;

impl ActivityTypeInput {
    /// Checks the fields present; with `creating`, the required ones must be.
    pub fn parse(self, creating: bool) -> Result<TypeChanges, ApiError> {
        let mut check = Checker::new();
        if creating {
            let required = [
                ("kind", self.kind.is_some()),
                ("code", self.code.is_some()),
                ("label_en", self.label_en.is_some()),
                ("label_ar", self.label_ar.is_some()),
                ("label_ckb", self.label_ckb.is_some()),
            ];
            for (field, present) in required {
                if !present {
                    check.fail(field, "is required");
                }
            }
        }
        if !creating && self.kind.is_some() {
            check.fail("kind", "cannot change; records of this type depend on it");
        }
        let code = self.code.as_deref().map(|c| check.code("code", c, 24));
        let labels = [
            ("label_en", &self.label_en),
            ("label_ar", &self.label_ar),
            ("label_ckb", &self.label_ckb),
        ]
        .map(|(field, v)| v.as_deref().map(|l| check.text(field, l, 1, 120)));
        if let Some(n) = self.cycle_sessions {
            if !CYCLE_SESSIONS.contains(&n) {
                check.fail("cycle_sessions", "must be between 1 and 200");
            }
            if creating && self.kind != Some(ActivityKind::GroupSession) {
                check.fail("cycle_sessions", "only group sessions have a cycle");
            }
        }
        check.finish(TypeChanges {
            kind: self.kind,
            code,
            labels,
            cycle_sessions: self.cycle_sessions,
            active: self.active,
        })
    }
}

impl TypeChanges {
    /// Whether these changes fit the stored type `current` (only group
    /// sessions have a cycle).
    pub fn check_against(&self, current: &ActivityType) -> Result<(), ApiError> {
        if self.cycle_sessions.is_some() && current.kind != ActivityKind::GroupSession.as_str() {
            return Err(ApiError::invalid_field(
                "cycle_sessions",
                "only group sessions have a cycle",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityTypeInput {
        ActivityTypeInput {
            kind: Some(ActivityKind::AwarenessEvent),
            code: Some("gbv".into()),
            label_en: Some("GBV prevention".into()),
            label_ar: Some("الوقاية من العنف".into()),
            label_ckb: Some("ڕێگری لە توندوتیژی".into()),
            cycle_sessions: None,
            active: None,
        }
    }

    #[test]
    fn only_group_sessions_have_a_cycle() {
        assert!(ActivityTypeInput {
            cycle_sessions: Some(8),
            ..input()
        }
        .parse(true)
        .is_err());
        let pss = ActivityTypeInput {
            kind: Some(ActivityKind::GroupSession),
            cycle_sessions: Some(8),
            ..input()
        };
        assert_eq!(pss.parse(true).unwrap().code.as_deref(), Some("GBV"));
    }

    #[test]
    fn the_kind_cannot_change() {
        assert!(input().parse(false).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            ActivityKind::GroupSession,
            ActivityKind::AwarenessEvent,
            ActivityKind::CfsDay,
            ActivityKind::IndividualSession,
        ] {
            assert_eq!(ActivityKind::parse(kind.as_str()), Some(kind));
        }
    }
}

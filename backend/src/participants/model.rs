//! A participant as a phone sends it, and the rules it must meet.

use serde::{Deserialize, Serialize};

use super::code;
use crate::access::Role;
use crate::changes::item::SyncData;
use crate::validate::{dates, Checker};

/// Whether `role` works with participants and groups at all: mobilisers
/// count heads at awareness events and never hold participants.
pub fn works_with_participants(role: Role) -> Result<(), String> {
    match role {
        Role::Mobiliser => {
            Err("mobilisers record awareness events, not participants or groups".into())
        }
        _ => Ok(()),
    }
}

/// How many prefixes one user may draw in [`PREFIX_WINDOW_MS`]: a phone
/// needs one at its first sync and a spare near the end of 32,768 codes, so
/// this covers a trainer with several phones reinstalled on a bad day, and
/// stops one account from draining the programme's 32,767.
pub const PREFIXES_PER_USER: i64 = 20;
pub const PREFIX_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// The audit action of a lookup by code.
pub const LOOKUP_ACTION: &str = "participant.lookup";
/// Lookups by code one user may make in [`LOOKUP_WINDOW_MS`]: a busy CFS
/// morning of children who came from elsewhere is a few dozen; walking
/// through codes would need thousands.
pub const LOOKUPS_PER_WINDOW: i64 = 300;
pub const LOOKUP_WINDOW_MS: i64 = 60 * 60 * 1000;

/// A phone's fresh participant-code prefix.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Prefix {
    /// Three characters; the phone numbers its codes under it.
    pub prefix: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FindQuery {
    /// The start of a code (hyphen optional) or part of a given name.
    pub q: String,
    pub limit: Option<i64>,
}

impl FindQuery {
    /// The search text and the page size, checked.
    pub fn parse(&self) -> Result<(&str, i64), crate::error::ApiError> {
        let text = self.q.trim();
        if text.is_empty() || text.chars().count() > 60 {
            return Err(crate::error::ApiError::invalid_field(
                "q",
                "must be 1 to 60 characters",
            ));
        }
        Ok((text, self.limit.unwrap_or(20).clamp(1, 100)))
    }
}

/// The id of participant `participant_id` as a visitor of `site_id`: how
/// the phones of that site name her minimal form.
pub fn visitor_id(participant_id: &str, site_id: i64) -> String {
    format!("{participant_id}@{site_id}")
}

/// The participant and the site of a visitor id.
pub fn parse_visitor_id(visitor: &str) -> Option<(&str, i64)> {
    let (participant, site) = visitor.rsplit_once('@')?;
    Some((participant, site.parse().ok()?))
}

/// A participant as staff of other sites see her, whatever their role:
/// what the work needs (her code to call her by, and what the figures split
/// by) and nothing else. No given name, no birth year, no Washington Group
/// answers: those stay with the site where she was registered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Minimal {
    pub id: String,
    pub code: String,
    pub sex: String,
    pub age_band: String,
    pub has_disability: bool,
    pub displacement: String,
}

/// A participant as a search result. Someone registered at one of the
/// caller's sites comes with her given name and birth year; a visitor (of
/// another site, present at one of the caller's) only in her minimal form,
/// found by code, at the first of the caller's sites she attended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Found {
    pub id: String,
    pub code: String,
    pub site_id: i64,
    pub given_name: Option<String>,
    pub sex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i64>,
    pub age_band: String,
    pub has_disability: bool,
    pub displacement: String,
    /// Registered at a site outside the caller's scope.
    pub visitor: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Displacement {
    Host,
    Idp,
    Refugee,
    Returnee,
}

impl Displacement {
    pub fn as_str(self) -> &'static str {
        match self {
            Displacement::Host => "host",
            Displacement::Idp => "idp",
            Displacement::Refugee => "refugee",
            Displacement::Returnee => "returnee",
        }
    }
}

/// How disability was asked: the Washington Group short set, a plain
/// yes / no, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityMode {
    Wg,
    Yes,
    No,
    NotAsked,
}

/// The six Washington Group short-set answers: 1 no difficulty, 2 some
/// difficulty, 3 a lot of difficulty, 4 cannot do at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WgAnswers {
    pub seeing: u8,
    pub hearing: u8,
    pub walking: u8,
    pub remembering: u8,
    pub selfcare: u8,
    pub communicating: u8,
}

impl WgAnswers {
    pub fn all(&self) -> [u8; 6] {
        [
            self.seeing,
            self.hearing,
            self.walking,
            self.remembering,
            self.selfcare,
            self.communicating,
        ]
    }
}

/// The participant fields a phone sends. Deliberately no surname, phone,
/// address or notes: the type cannot carry them, and unknown fields are
/// refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantData {
    pub code: String,
    pub site_id: i64,
    pub sex: Sex,
    pub birth_year: i64,
    /// True when the year was worked out from an age the person gave.
    #[serde(default)]
    pub birth_year_estimated: bool,
    pub disability: DisabilityMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wg: Option<WgAnswers>,
    pub displacement: Displacement,
    pub registered_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
}

impl SyncData for ParticipantData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        match code::normalise(&self.code) {
            Some(c) if code::is_valid(&c) => self.code = c,
            Some(_) => check.fail("code", "check character does not match; re-read the code"),
            None => check.fail("code", "must be 7 characters like K7M-42QX"),
        }
        let this_year = dates::today().year() as i64;
        self.birth_year =
            check.int_range("birth_year", self.birth_year, this_year - 110, this_year);
        self.registered_on = check.past_date("registered_on", &self.registered_on);
        match (self.disability, &self.wg) {
            (DisabilityMode::Wg, None) => {
                check.fail("wg", "the six Washington Group answers are required")
            }
            (DisabilityMode::Wg, Some(wg)) if wg.all().iter().any(|a| !(1..=4).contains(a)) => {
                check.fail("wg", "each answer must be 1, 2, 3 or 4")
            }
            (DisabilityMode::Wg, Some(_)) => {}
            (_, Some(_)) => check.fail("wg", "only with disability \"wg\""),
            _ => {}
        }
        self.given_name = check.optional_text("given_name", self.given_name.as_deref(), 60);
        self
    }

    fn site_id(&self) -> i64 {
        self.site_id
    }
}

impl ParticipantData {
    /// Disability as the figures count it: any WG answer of 3 or 4, or a plain yes.
    pub fn has_disability(&self) -> bool {
        match self.disability {
            DisabilityMode::Wg => self.wg.is_some_and(|wg| wg.all().iter().any(|&a| a >= 3)),
            DisabilityMode::Yes => true,
            DisabilityMode::No | DisabilityMode::NotAsked => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amira() -> ParticipantData {
        ParticipantData {
            code: code::display(&code::code_for("K7M", 3).unwrap()).to_lowercase(),
            site_id: 1,
            sex: Sex::Female,
            birth_year: 2012,
            birth_year_estimated: false,
            disability: DisabilityMode::Wg,
            wg: Some(WgAnswers {
                seeing: 1,
                hearing: 1,
                walking: 3,
                remembering: 1,
                selfcare: 2,
                communicating: 1,
            }),
            displacement: Displacement::Idp,
            registered_on: dates::format(dates::today()),
            given_name: Some("  Amira ".into()),
        }
    }

    #[test]
    fn normalising_canonicalises_code_and_name() {
        let mut check = Checker::new();
        let p = amira().normalise(&mut check);
        assert!(check.is_ok());
        assert_eq!(p.code, code::code_for("K7M", 3).unwrap());
        assert_eq!(p.given_name.as_deref(), Some("Amira"));
    }

    #[test]
    fn a_lot_of_difficulty_in_one_domain_is_a_disability() {
        assert!(amira().has_disability());
        let no_difficulty = ParticipantData {
            wg: Some(WgAnswers {
                seeing: 1,
                hearing: 2,
                walking: 2,
                remembering: 1,
                selfcare: 1,
                communicating: 2,
            }),
            ..amira()
        };
        assert!(!no_difficulty.has_disability());
        assert!(ParticipantData {
            disability: DisabilityMode::Yes,
            wg: None,
            ..amira()
        }
        .has_disability());
    }

    #[test]
    fn bad_codes_answers_and_dates_are_each_named() {
        let mut check = Checker::new();
        let bad = ParticipantData {
            code: "K7M-42QQ".into(),
            wg: Some(WgAnswers {
                seeing: 5,
                hearing: 1,
                walking: 1,
                remembering: 1,
                selfcare: 1,
                communicating: 1,
            }),
            registered_on: "2999-01-01".into(),
            ..amira()
        };
        bad.normalise(&mut check);
        let errors = check.into_errors();
        assert!(
            errors.contains_key("code")
                && errors.contains_key("wg")
                && errors.contains_key("registered_on"),
            "{errors:?}"
        );
    }
}

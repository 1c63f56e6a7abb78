//! A participant as a phone sends it, and the rules it must meet.

use serde::{Deserialize, Serialize};

use super::code;
use crate::access::Role;
use crate::changes::item::SyncData;
use crate::refusal::{Refusal, RefusalCode};
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

/// Two registrations of one person, made one: `merge` becomes an alias of
/// `keep` for ever.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    pub keep: String,
    pub merge: String,
}

/// What a merge did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Merged {
    pub keep: String,
    pub merge: String,
    /// Records whose attendance now names the survivor.
    pub records: i64,
    /// Presences moved to the survivor.
    pub attendances_moved: i64,
    /// Presences dropped because the survivor was marked present at the same record.
    pub attendances_joined: i64,
    /// Groups whose roster now names the survivor.
    pub groups: i64,
}

/// One side of a likely duplicate: codes, never names (coordinators see codes).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateSide {
    pub id: String,
    pub code: String,
    pub site_id: i64,
}

/// Two participants that are likely one person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub a: DuplicateSide,
    pub b: DuplicateSide,
    pub reason: String,
}

/// A registration as the duplicate rule reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: String,
    pub code: String,
    pub site_id: i64,
    pub partner_id: i64,
    pub sex: String,
    pub birth_year: i64,
    pub given_name: String,
}

/// Most pairs one duplicates list returns (the worst first is not known,
/// so the list is a work queue: merge or dismiss, then ask again).
pub const MAX_DUPLICATES: usize = 500;

/// Likely duplicates among `people`: the same sex, birth years at most one
/// apart, similar given names ([`similar_names`]), at the same site or the
/// same partner. Without a given name nothing can be said (women's centres
/// do not ask it), so such registrations are never paired.
pub fn likely_duplicates(mut people: Vec<Candidate>) -> Vec<Duplicate> {
    people.sort_by(|a, b| {
        (a.partner_id, &a.sex, a.birth_year, &a.code).cmp(&(
            b.partner_id,
            &b.sex,
            b.birth_year,
            &b.code,
        ))
    });
    let keys: Vec<Vec<char>> = people.iter().map(|p| name_key(&p.given_name)).collect();
    let mut out = vec![];
    for i in 0..people.len() {
        for j in i + 1..people.len() {
            let (a, b) = (&people[i], &people[j]);
            if a.partner_id != b.partner_id || a.sex != b.sex || b.birth_year - a.birth_year > 1 {
                break;
            }
            if !similar_names(&keys[i], &keys[j]) {
                continue;
            }
            let place = if a.site_id == b.site_id {
                "same site"
            } else {
                "same partner"
            };
            out.push(Duplicate {
                a: side(a),
                b: side(b),
                reason: format!("same sex, birth year within one, similar given name, {place}"),
            });
            if out.len() == MAX_DUPLICATES {
                return out;
            }
        }
    }
    out
}

fn side(p: &Candidate) -> DuplicateSide {
    DuplicateSide {
        id: p.id.clone(),
        code: p.code.clone(),
        site_id: p.site_id,
    }
}

/// A given name as compared: lower case, no spaces, hyphens or
/// apostrophes, Arabic written one way (no diacritics or tatweel, alef
/// forms as bare alef, taa marbuta as haa, alef maqsura as yaa).
pub fn name_key(name: &str) -> Vec<char> {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\'' | '’' | '\u{0640}'))
        .filter(|c| !('\u{064B}'..='\u{0652}').contains(c))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ة' => 'ه',
            'ى' => 'ي',
            c => c,
        })
        .collect()
}

/// Whether two name keys are close enough to be one name mistyped or
/// spelt another way: at most one edit apart, two for names of 6 or more.
pub fn similar_names(a: &[char], b: &[char]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let allowed = if a.len().max(b.len()) >= 6 { 2 } else { 1 };
    if a.len().abs_diff(b.len()) > allowed {
        return false;
    }
    edit_distance(a, b) <= allowed
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
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
    /// A caregiver answered the disability questions for a child (shown
    /// on screen beside the answers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wg_by_caregiver: bool,
}

/// The youngest age the Washington Group short set is asked at.
pub const WG_MIN_AGE: i64 = 5;

impl SyncData for ParticipantData {
    fn normalise(mut self, check: &mut Checker) -> Self {
        match code::normalise(&self.code) {
            Some(c) if code::is_valid(&c) => self.code = c,
            Some(_) => check.fail("code", RefusalCode::CheckCharacter),
            None => check.fail("code", RefusalCode::NotAParticipantCode),
        }
        let this_year = dates::today().year() as i64;
        self.birth_year =
            check.int_range("birth_year", self.birth_year, this_year - 110, this_year);
        self.registered_on = check.past_date("registered_on", &self.registered_on);
        match (self.disability, &self.wg) {
            (DisabilityMode::Wg, None) => check.fail("wg", RefusalCode::WgRequired),
            (DisabilityMode::Wg, Some(wg)) if wg.all().iter().any(|a| !(1..=4).contains(a)) => {
                check.fail("wg", RefusalCode::WgAnswer)
            }
            (DisabilityMode::Wg, Some(_)) => {}
            (_, Some(_)) => check.fail("wg", RefusalCode::WgNotAsked),
            _ => {}
        }
        // Age at registration, by years (only the birth year is known).
        let registered_year = self
            .registered_on
            .get(..4)
            .and_then(|y| y.parse::<i64>().ok());
        if self.disability == DisabilityMode::Wg
            && registered_year.is_some_and(|y| y - self.birth_year < WG_MIN_AGE)
        {
            check.fail("wg", Refusal::new(RefusalCode::WgTooYoung).min(WG_MIN_AGE));
        }
        if self.wg_by_caregiver && self.disability == DisabilityMode::NotAsked {
            check.fail("wg_by_caregiver", RefusalCode::WgNotAsked);
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
            wg_by_caregiver: false,
        }
    }

    #[test]
    fn the_washington_group_set_is_refused_under_five() {
        let year: i64 = dates::today().year() as i64;
        let mut check = Checker::new();
        ParticipantData {
            birth_year: year - 4,
            wg_by_caregiver: true,
            ..amira()
        }
        .normalise(&mut check);
        assert!(check.into_errors().contains_key("wg"));
        let mut check = Checker::new();
        ParticipantData {
            birth_year: year - 5,
            wg_by_caregiver: true,
            ..amira()
        }
        .normalise(&mut check);
        assert!(check.is_ok());
        let mut check = Checker::new();
        ParticipantData {
            birth_year: year - 4,
            disability: DisabilityMode::Yes,
            wg: None,
            ..amira()
        }
        .normalise(&mut check);
        assert!(check.is_ok(), "a plain yes / no may be asked at any age");
    }

    fn candidate(code: &str, site_id: i64, sex: &str, born: i64, name: &str) -> Candidate {
        Candidate {
            id: format!("id-{code}"),
            code: code.into(),
            site_id,
            partner_id: 1,
            sex: sex.into(),
            birth_year: born,
            given_name: name.into(),
        }
    }

    #[test]
    fn names_spelt_another_way_are_similar_and_other_names_are_not() {
        let same = |a: &str, b: &str| similar_names(&name_key(a), &name_key(b));
        assert!(same("Huda", "Hoda"));
        assert!(same("Amira", "amira "));
        assert!(same("فاطمة", "فاطمه"), "taa marbuta written as haa");
        assert!(same("أمل", "امل"), "alef with hamza written bare");
        assert!(same("Abdulrahman", "Abdul-Rahman"));
        assert!(!same("Huda", "Nour"));
        assert!(!same("Ali", "Amal"));
        assert!(!same("", "Huda"));
    }

    #[test]
    fn a_likely_duplicate_has_the_same_sex_a_near_birth_year_and_a_similar_name() {
        let people = vec![
            candidate("A1", 1, "female", 2015, "Huda"),
            candidate("A2", 2, "female", 2016, "Hoda"),
            candidate("A3", 1, "female", 2018, "Huda"),
            candidate("A4", 1, "male", 2015, "Huda"),
            candidate("A5", 1, "female", 2015, "Nour"),
        ];
        let found = likely_duplicates(people);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].a.code.as_str(), found[0].b.code.as_str()),
            ("A1", "A2")
        );
        assert!(found[0].reason.ends_with("same partner"));
        let other_partner = Candidate {
            partner_id: 2,
            ..candidate("B1", 9, "female", 2015, "Huda")
        };
        let found = likely_duplicates(vec![
            candidate("A1", 1, "female", 2015, "Huda"),
            other_partner,
        ]);
        assert!(
            found.is_empty(),
            "another partner's people are not compared"
        );
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

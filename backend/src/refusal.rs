//! Why the server refused a pushed item, field by field, as codes.
//!
//! A phone shows these reasons to the person who made the item, in Arabic,
//! Sorani or English, so the server never sends them as English prose: each
//! is a [`RefusalCode`] from the catalogue below, plus machine fields (the
//! field name is the map key; limits are numbers, the participant codes it
//! could not find are listed). The app has a sentence for every code in
//! every language: the catalogue is written to
//! `pwa/src/sync/refusal-codes.json`, a test here keeps that file and
//! docs/design.md (§ "Refusal codes") in step with the enum, and the app's
//! own test checks its catalogues against the file.
//!
//! The REST API keeps answering its `fields` as English sentences
//! ([`Refusal::sentence`]), so staff screens and scripts read them as before.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::code_catalogue;

/// Field name → why it was refused.
pub type Refusals = BTreeMap<String, Refusal>;

code_catalogue! {
    /// Every reason a pushed item can be refused for.
    RefusalCode {
        // Text and values of any field.
        /// Nothing given where something is needed.
        Required => "required",
        /// Shorter than `min` characters.
        TooShort => "too_short",
        /// Longer than `max` characters.
        TooLong => "too_long",
        /// Holds a control character (a tab, a line break in a one-line field).
        ControlCharacters => "control_characters",
        /// Holds a NUL character, which PostgreSQL refuses in text.
        NulCharacter => "nul_character",
        /// Holds a bidirectional control that could make text read as something else.
        BidiControl => "bidi_control",
        /// A code with characters other than A–Z, digits, `-` and `_`.
        PlainCodeOnly => "plain_code_only",
        /// Not a date written `YYYY-MM-DD`.
        NotADate => "not_a_date",
        /// Not a time written `HH:MM`.
        NotATime => "not_a_time",
        /// A date more than a day ahead of the server's.
        InFuture => "in_future",
        /// A date more than `max` years back.
        TooLongAgo => "too_long_ago",
        /// A number outside `min`…`max` (either may be absent).
        OutOfRange => "out_of_range",
        /// Not one of the values the field takes.
        NotAChoice => "not_a_choice",
        /// The item's content could not be read as its kind (a wrong type, a missing field).
        Malformed => "malformed",
        // The item as a whole.
        /// The id is not a UUID made on the phone.
        NotAUuid => "not_a_uuid",
        /// Something new must be based on version 0.
        MustBeNew => "must_be_new",
        /// A new or changed item without its content.
        DataRequired => "data_required",
        /// The user's role does not make this kind of thing.
        RoleMayNot => "role_may_not",
        /// Only the person who recorded it, or an admin, may change it.
        NotYours => "not_yours",
        /// A site the user may not write to, or not an active one.
        OutsideScope => "outside_scope",
        /// The site's month (`values`: `YYYY-MM`) is locked after review; only
        /// an administrator unlocks it.
        MonthLocked => "month_locked",
        // People and codes.
        /// Not a participant code (seven characters like K7M-42QX).
        NotAParticipantCode => "not_a_participant_code",
        /// The code's check character does not match: the card was misread.
        CheckCharacter => "check_character",
        /// No participant has these codes (`values`).
        UnknownCodes => "unknown_codes",
        /// These participants (`values`) are unknown at the user's sites.
        UnknownParticipants => "unknown_participants",
        /// These users (`values`) are not active users.
        UnknownUsers => "unknown_users",
        /// The code's prefix was not handed out by this server.
        PrefixNotIssued => "prefix_not_issued",
        /// Another participant has this code.
        CodeTaken => "code_taken",
        /// The same person is listed twice.
        ListedTwice => "listed_twice",
        /// More than `max` people.
        TooManyPeople => "too_many_people",
        /// A left date before the joined date.
        LeftBeforeJoined => "left_before_joined",
        // Disability questions (Washington Group short set).
        /// The six answers are missing.
        WgRequired => "wg_required",
        /// An answer other than 1, 2, 3 or 4.
        WgAnswer => "wg_answer",
        /// Answers given, or a caregiver named, when the questions were not asked.
        WgNotAsked => "wg_not_asked",
        /// The questions are for ages `min` and over.
        WgTooYoung => "wg_too_young",
        // What each kind of activity records.
        /// A group session without its group.
        GroupRequired => "group_required",
        /// This kind of activity has no group.
        NoGroup => "no_group",
        /// This kind records who came, not head counts.
        NoHeadCounts => "no_head_counts",
        /// An awareness event counts heads; it names no one.
        NoNames => "no_names",
        /// An individual session names exactly one person.
        ExactlyOnePerson => "exactly_one_person",
        /// Nobody counted.
        CountSomeone => "count_someone",
        /// Two counts for one sex and age band.
        OneCountPerCell => "one_count_per_cell",
        /// More people with a disability than were counted.
        DisabledOverCount => "disabled_over_count",
        /// Not an active activity type of the record's kind.
        WrongActivityType => "wrong_activity_type",
        /// A different activity type from the group's.
        TypeDiffersFromGroup => "type_differs_from_group",
        /// No such group.
        UnknownGroup => "unknown_group",
        /// The group belongs to another site.
        GroupOfAnotherSite => "group_of_another_site",
        // Referrals.
        /// A referral without the person's consent.
        ConsentRequired => "consent_required",
        /// A note on a referral while the programme keeps notes off.
        NotesOff => "notes_off",
        /// Not an active service of the directory.
        UnknownService => "unknown_service",
        /// A referral is not changed from the phone: close it and refer again.
        ReferralNotEditable => "referral_not_editable",
        /// What the item refers to changed while it was stored: send it again.
        ChangedMeanwhile => "changed_meanwhile",
        /// A reason of the staff screens that has no code of its own (never
        /// sent for a pushed item: the REST answer carries its sentence).
        NotAccepted => "not_accepted",
    }
}

/// One field's refusal: its code and the numbers or values it needs.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Refusal {
    pub code: RefusalCode,
    /// The lower limit (characters, a year, an age…), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// The upper limit, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// What was not found (participant codes as printed, ids).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// A staff-screen reason without a code of its own, for the REST
    /// answer's sentence; never sent in a push answer.
    #[serde(skip)]
    detail: Option<String>,
}

impl Refusal {
    pub fn new(code: RefusalCode) -> Refusal {
        Refusal {
            code,
            min: None,
            max: None,
            values: Vec::new(),
            detail: None,
        }
    }

    pub fn min(mut self, min: i64) -> Refusal {
        self.min = Some(min);
        self
    }

    pub fn max(mut self, max: i64) -> Refusal {
        self.max = Some(max);
        self
    }

    pub fn values(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Refusal {
        self.values = values.into_iter().map(Into::into).collect();
        self
    }

    /// The reason as an English sentence, for the REST API's `fields` and the log.
    pub fn sentence(&self) -> String {
        use RefusalCode as C;
        if let Some(detail) = &self.detail {
            return detail.clone();
        }
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let listed = self.values.join(", ");
        match self.code {
            C::Required => "must not be empty".into(),
            C::TooShort => format!("must be at least {} characters", n(self.min)),
            C::TooLong => format!("must be at most {} characters", n(self.max)),
            C::ControlCharacters => "must not contain control characters".into(),
            C::NulCharacter => "must not contain a NUL character".into(),
            C::BidiControl => "must not contain bidirectional control characters".into(),
            C::PlainCodeOnly => "may contain only letters A–Z, digits, '-' and '_'".into(),
            C::NotADate => "must be a date like 2026-03-31".into(),
            C::NotATime => "must be a time like 09:30".into(),
            C::InFuture => "is in the future".into(),
            C::TooLongAgo => format!("is more than {} years ago", n(self.max)),
            C::OutOfRange => match (self.min, self.max) {
                (Some(min), Some(max)) => format!("must be between {min} and {max}"),
                (Some(min), None) => format!("must be at least {min}"),
                (None, Some(max)) => format!("must be at most {max}"),
                (None, None) => "is out of range".into(),
            },
            C::NotAChoice => "is not one of the values this field takes".into(),
            C::Malformed => "could not be read".into(),
            C::NotAUuid => "must be a UUID made on the phone".into(),
            C::MustBeNew => "must be 0 for something new".into(),
            C::DataRequired => "is required unless deleting".into(),
            C::RoleMayNot => "this role does not record this".into(),
            C::NotYours => "only the person who recorded it (or an admin) may change it".into(),
            C::OutsideScope => "is not an active site in your scope".into(),
            C::MonthLocked => format!(
                "{listed} at this site is locked after review; only an administrator can unlock it"
            ),
            C::NotAParticipantCode => "must be 7 characters like K7M-42QX".into(),
            C::CheckCharacter => "check character does not match; re-read the code".into(),
            C::UnknownCodes => format!("no participant has the code {listed}"),
            C::UnknownParticipants => format!("not participants in your scope: {listed}"),
            C::UnknownUsers => format!("no such active user: {listed}"),
            C::PrefixNotIssued => "its prefix was not issued by this server".into(),
            C::CodeTaken => "is already used by another participant".into(),
            C::ListedTwice => "a participant is listed twice".into(),
            C::TooManyPeople => format!("at most {} people", n(self.max)),
            C::LeftBeforeJoined => "left_on is before joined_on".into(),
            C::WgRequired => "the six Washington Group answers are required".into(),
            C::WgAnswer => "each answer must be 1, 2, 3 or 4".into(),
            C::WgNotAsked => "only when disability was asked".into(),
            C::WgTooYoung => format!(
                "the Washington Group short set is for ages {} and over",
                n(self.min)
            ),
            C::GroupRequired => "a group session belongs to a group".into(),
            C::NoGroup => "this kind of activity has no group".into(),
            C::NoHeadCounts => "this kind records the people present, not head counts".into(),
            C::NoNames => "an awareness event records head counts, not names".into(),
            C::ExactlyOnePerson => "an individual session has exactly one participant".into(),
            C::CountSomeone => "count at least one person".into(),
            C::OneCountPerCell => "one count per sex and age band".into(),
            C::DisabledOverCount => "must be between 0 and the number counted".into(),
            C::WrongActivityType => "must be an active activity type of this kind".into(),
            C::TypeDiffersFromGroup => "differs from the group's activity type".into(),
            C::UnknownGroup => "no such group".into(),
            C::GroupOfAnotherSite => "belongs to another site".into(),
            C::ConsentRequired => "the person must agree to be referred".into(),
            C::NotesOff => "notes on referrals are switched off in this programme".into(),
            C::UnknownService => "is not an active service of the directory".into(),
            C::ReferralNotEditable => {
                "a referral is not changed from the phone: close it and refer again".into()
            }
            C::ChangedMeanwhile => "changed while this was stored; send it again".into(),
            C::NotAccepted => "not accepted".into(),
        }
    }
}

impl From<RefusalCode> for Refusal {
    fn from(code: RefusalCode) -> Refusal {
        Refusal::new(code)
    }
}

/// A staff-screen reason written as a sentence: it keeps its words for the
/// REST answer and travels as `not_accepted` anywhere codes are sent.
impl From<&str> for Refusal {
    fn from(sentence: &str) -> Refusal {
        Refusal::from(sentence.to_string())
    }
}

impl From<String> for Refusal {
    fn from(sentence: String) -> Refusal {
        Refusal {
            detail: Some(sentence),
            ..Refusal::new(RefusalCode::NotAccepted)
        }
    }
}

/// One field refused for one reason.
pub fn one(field: &str, refusal: impl Into<Refusal>) -> Refusals {
    Refusals::from([(field.to_string(), refusal.into())])
}

/// The refusals as the REST API answers them: a sentence per field.
pub fn sentences(refusals: &Refusals) -> crate::error::FieldErrors {
    refusals
        .iter()
        .map(|(field, refusal)| (field.clone(), refusal.sentence()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_CATALOGUE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pwa/src/sync/refusal-codes.json"
    );
    const DESIGN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/design.md");

    fn catalogue() -> Vec<&'static str> {
        let mut codes: Vec<&str> = RefusalCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort_unstable();
        codes
    }

    #[test]
    fn the_app_has_the_whole_catalogue_of_refusal_codes() {
        let expected = catalogue();
        if std::env::var("SIJIL_WRITE_REFUSAL_CODES").is_ok_and(|v| v == "1") {
            let lines: Vec<String> = expected.iter().map(|c| format!("  \"{c}\"")).collect();
            std::fs::write(APP_CATALOGUE, format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();
        }
        let text = std::fs::read_to_string(APP_CATALOGUE).expect("the app's refusal catalogue");
        let in_app: Vec<String> = serde_json::from_str(&text).expect("a JSON list of codes");
        assert_eq!(
            in_app, expected,
            "pwa/src/sync/refusal-codes.json is out of step with RefusalCode: \
             run `SIJIL_WRITE_REFUSAL_CODES=1 cargo test -p sijil --lib refusal`, \
             then give the app a sentence for each new code"
        );
    }

    #[test]
    fn every_refusal_code_is_documented_in_the_design() {
        let design = std::fs::read_to_string(DESIGN).expect("docs/design.md");
        let section = design
            .split("### Refusal codes")
            .nth(1)
            .expect("docs/design.md has a section \"### Refusal codes\"");
        let section = section.split("\n## ").next().unwrap_or(section);
        let undocumented: Vec<&str> = catalogue()
            .into_iter()
            .filter(|code| !section.contains(&format!("`{code}`")))
            .collect();
        assert_eq!(
            undocumented,
            Vec::<&str>::new(),
            "refusal codes missing from docs/design.md"
        );
    }

    #[test]
    fn codes_are_distinct_and_serialise_as_their_names() {
        let codes = catalogue();
        let mut distinct = codes.clone();
        distinct.dedup();
        assert_eq!(codes, distinct);
        for code in RefusalCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn a_refusal_travels_as_code_and_numbers_never_as_a_sentence() {
        let long = Refusal::new(RefusalCode::TooLong).max(2000);
        assert_eq!(
            serde_json::to_value(&long).unwrap(),
            serde_json::json!({ "code": "too_long", "max": 2000 })
        );
        assert_eq!(long.sentence(), "must be at most 2000 characters");
        let unknown = Refusal::new(RefusalCode::UnknownCodes).values(["K7M-42QX"]);
        assert_eq!(
            serde_json::to_value(&unknown).unwrap(),
            serde_json::json!({ "code": "unknown_codes", "values": ["K7M-42QX"] })
        );
        // A staff screen's sentence keeps its words for REST, and is only a code on the wire.
        let prose = Refusal::from("must be one of en, ar or ckb");
        assert_eq!(prose.sentence(), "must be one of en, ar or ckb");
        assert_eq!(
            serde_json::to_value(&prose).unwrap(),
            serde_json::json!({ "code": "not_accepted" })
        );
    }
}

//! A programme's existing lists: the columns each kind has (in every
//! language), the templates, and the rules each row must meet, as plain
//! functions. Reading a file into rows is [`super::table`] (CSV) and
//! [`super::xlsx`] (workbooks). Nothing here touches the database.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::access::Role;
use crate::participants::model::{DisabilityMode, Displacement, Sex};
use crate::sites::model::SiteKind;
use crate::users::model::Language as UserLanguage;
use crate::validate::{dates, Checker};

pub use super::table::{Row, Table};

/// What a file lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Sites,
    Users,
    Participants,
    Groups,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "participants" => Some(Kind::Participants),
            "groups" => Some(Kind::Groups),
            "sites" => Some(Kind::Sites),
            "users" => Some(Kind::Users),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Participants => "participants",
            Kind::Groups => "groups",
            Kind::Sites => "sites",
            Kind::Users => "users",
        }
    }

    /// The audit action of an applied import.
    pub fn action(self) -> &'static str {
        match self {
            Kind::Participants => "import.participants",
            Kind::Groups => "import.groups",
            Kind::Sites => "import.sites",
            Kind::Users => "import.users",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Participants => PARTICIPANT_COLUMNS,
            Kind::Groups => GROUP_COLUMNS,
            Kind::Sites => SITE_COLUMNS,
            Kind::Users => USER_COLUMNS,
        }
    }
}

/// The language of a template's header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Ar,
    Ckb,
    Kmr,
}

/// One column of a kind: its key (how problems name it), its header in
/// English, Arabic, Sorani and Kurmanji (any is accepted), whether a value is
/// required, and the template's example.
#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub names: [&'static str; 4],
    pub required: bool,
    pub example: &'static str,
}

const PARTICIPANT_COLUMNS: &[Column] = &[
    Column {
        key: "id",
        names: ["id", "المعرف", "ناسنامە", "ناسنامە"],
        required: false,
        example: "CFS-0001",
    },
    Column {
        key: "site_code",
        names: ["site_code", "رمز الموقع", "کۆدی شوێن", "کۆدێ جهی"],
        required: true,
        example: "DHK-01",
    },
    Column {
        key: "given_name",
        names: ["given_name", "الاسم", "ناو", "ناڤ"],
        required: false,
        example: "Amira",
    },
    Column {
        key: "sex",
        names: ["sex", "الجنس", "ڕەگەز", "ڕەگەز"],
        required: true,
        example: "female",
    },
    Column {
        key: "birth_year",
        names: [
            "birth_year",
            "سنة الميلاد",
            "ساڵی لەدایکبوون",
            "سالا ژدایکبوونێ",
        ],
        required: true,
        example: "2014",
    },
    Column {
        key: "disability",
        names: ["disability", "الإعاقة", "کەمئەندامی", "کێمئەندامی"],
        required: false,
        example: "no",
    },
    Column {
        key: "displacement",
        names: ["displacement", "النزوح", "ئاوارەیی", "ئاوارەبوون"],
        required: true,
        example: "idp",
    },
    Column {
        key: "registered_on",
        names: [
            "registered_on",
            "تاريخ التسجيل",
            "ڕێکەوتی تۆمارکردن",
            "ڕێکەفتا تۆمارکرنێ",
        ],
        required: false,
        example: "2026-01-15",
    },
];

const SITE_COLUMNS: &[Column] = &[
    Column {
        key: "partner",
        names: ["partner", "الشريك", "هاوبەش", "هەڤپشک"],
        required: true,
        example: "Harikar",
    },
    Column {
        key: "area_pcode",
        names: ["area_pcode", "رمز المنطقة", "کۆدی ناوچە", "کۆدێ دەڤەرێ"],
        required: true,
        example: "IQG15",
    },
    Column {
        key: "site_code",
        names: ["site_code", "رمز الموقع", "کۆدی شوێن", "کۆدێ جهی"],
        required: true,
        example: "DHK-01",
    },
    Column {
        key: "site_name",
        names: ["site_name", "اسم الموقع", "ناوی شوێن", "ناڤێ جهی"],
        required: true,
        example: "Duhok child-friendly space",
    },
    Column {
        key: "kind",
        names: ["kind", "نوع الموقع", "جۆری شوێن", "جۆرێ جهی"],
        required: true,
        example: "child_friendly_space",
    },
];

const USER_COLUMNS: &[Column] = &[
    Column {
        key: "login",
        names: [
            "login",
            "اسم الدخول",
            "ناوی چوونەژوورەوە",
            "ناڤێ چوونەژوورێ",
        ],
        required: true,
        example: "layla.hassan",
    },
    Column {
        key: "display_name",
        names: ["display_name", "الاسم الكامل", "ناوی تەواو", "ناڤێ تمام"],
        required: true,
        example: "Layla Hassan",
    },
    Column {
        key: "role",
        names: ["role", "الدور", "ڕۆڵ", "ڕۆل"],
        required: true,
        example: "trainer",
    },
    Column {
        key: "language",
        names: ["language", "اللغة", "زمان", "زمان"],
        required: false,
        example: "ar",
    },
    Column {
        key: "site_codes",
        names: ["site_codes", "رموز المواقع", "کۆدی شوێنەکان", "کۆدێن جهان"],
        required: false,
        example: "DHK-01",
    },
];

const GROUP_COLUMNS: &[Column] = &[
    Column {
        key: "group_name",
        names: ["group_name", "اسم المجموعة", "ناوی گروپ", "ناڤێ گرووپی"],
        required: true,
        example: "Girls' PSS cycle 1",
    },
    Column {
        key: "site_code",
        names: ["site_code", "رمز الموقع", "کۆدی شوێن", "کۆدێ جهی"],
        required: true,
        example: "DHK-01",
    },
    Column {
        key: "activity_type",
        names: ["activity_type", "نوع النشاط", "جۆری چالاکی", "جۆرێ چالاکیێ"],
        required: true,
        example: "PSS",
    },
    Column {
        key: "member_id",
        names: [
            "member_id",
            "معرف العضو",
            "ناسنامەی ئەندام",
            "ناسنامێ ئەندامی",
        ],
        required: false,
        example: "CFS-0001",
    },
    Column {
        key: "member_code",
        names: ["member_code", "رمز العضو", "کۆدی ئەندام", "کۆدێ ئەندامی"],
        required: false,
        example: "",
    },
    Column {
        key: "joined_on",
        names: [
            "joined_on",
            "تاريخ الانضمام",
            "ڕێکەوتی بەشداربوون",
            "ڕێکەفتا بەشداربوونێ",
        ],
        required: false,
        example: "2026-01-15",
    },
];

/// One problem with a file: its row (the header is row 1, as a spreadsheet
/// numbers it), the column's key, a code the app translates, and a reason
/// in English.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(row: usize, column: &str, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            row,
            column: column.to_string(),
            code,
            message: message.into(),
        }
    }
}

/// The template of `kind`: the header row in `language` and one example row.
pub fn template(kind: Kind, language: Language) -> String {
    let at = match language {
        Language::En => 0,
        Language::Ar => 1,
        Language::Ckb => 2,
        Language::Kmr => 3,
    };
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(kind.columns().iter().map(|c| c.names[at]))
            .expect("write to memory");
        w.write_record(kind.columns().iter().map(|c| c.example))
            .expect("write to memory");
        w.flush().expect("write to memory");
    }
    // A byte-order mark, so spreadsheet programs open Arabic script as UTF-8.
    format!(
        "\u{feff}{}",
        String::from_utf8(out).expect("the template is UTF-8")
    )
}

/// The hashed key an imported row is known by (see migration 0060).
pub fn key_hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key of a participant known by the programme's own id.
pub fn programme_key(id: &str) -> String {
    format!("id:{}", id.trim().to_lowercase())
}

/// A participant row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantRow {
    pub number: usize,
    /// What a re-import recognises her by (before hashing).
    pub key: String,
    pub site_code: String,
    pub given_name: Option<String>,
    pub sex: Sex,
    pub birth_year: i64,
    pub disability: DisabilityMode,
    pub displacement: Displacement,
    pub registered_on: String,
}

/// Values accepted for `sex`, `disability` and `displacement`, in the four
/// languages (Kurmanji shares most words with Sorani), compared in lower case.
fn pick<T: Copy>(value: &str, choices: &[(&str, T)]) -> Option<T> {
    let v = value.trim().to_lowercase();
    choices.iter().find(|(name, _)| *name == v).map(|(_, t)| *t)
}

const SEXES: &[(&str, Sex)] = &[
    ("female", Sex::Female),
    ("f", Sex::Female),
    ("أنثى", Sex::Female),
    ("انثى", Sex::Female),
    ("مێ", Sex::Female),
    ("male", Sex::Male),
    ("m", Sex::Male),
    ("ذكر", Sex::Male),
    ("نێر", Sex::Male),
];

const DISABILITIES: &[(&str, DisabilityMode)] = &[
    ("yes", DisabilityMode::Yes),
    ("نعم", DisabilityMode::Yes),
    ("بەڵێ", DisabilityMode::Yes),
    ("بەلێ", DisabilityMode::Yes),
    ("no", DisabilityMode::No),
    ("لا", DisabilityMode::No),
    ("نەخێر", DisabilityMode::No),
    ("not_asked", DisabilityMode::NotAsked),
];

const DISPLACEMENTS: &[(&str, Displacement)] = &[
    ("host", Displacement::Host),
    ("مضيف", Displacement::Host),
    ("خانەخوێ", Displacement::Host),
    ("idp", Displacement::Idp),
    ("نازح", Displacement::Idp),
    ("ئاوارە", Displacement::Idp),
    ("refugee", Displacement::Refugee),
    ("لاجئ", Displacement::Refugee),
    ("پەنابەر", Displacement::Refugee),
    ("returnee", Displacement::Returnee),
    ("عائد", Displacement::Returnee),
    ("گەڕاوە", Displacement::Returnee),
    ("زڤڕیای", Displacement::Returnee),
];

/// A required cell, or a `missing_value` problem.
fn required<'a>(row: &'a Row, key: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    let value = row.get(key);
    if value.is_none() {
        problems.push(Problem::new(
            row.number,
            key,
            "missing_value",
            "a value is required",
        ));
    }
    value
}

/// Checks a participant row as a phone's registration would be checked;
/// `this_year` bounds the birth year (at most 110 years ago).
pub fn participant(
    row: &Row,
    this_year: i64,
    today: time::Date,
) -> Result<ParticipantRow, Vec<Problem>> {
    let n = row.number;
    let mut problems = Vec::new();
    let site_code = required(row, "site_code", &mut problems).map(|s| s.to_uppercase());
    let sex = required(row, "sex", &mut problems).and_then(|v| {
        let sex = pick(v, SEXES);
        if sex.is_none() {
            problems.push(Problem::new(
                n,
                "sex",
                "bad_choice",
                "must be female or male",
            ));
        }
        sex
    });
    let birth_year =
        required(row, "birth_year", &mut problems).and_then(|v| match v.parse::<i64>() {
            Ok(y) if (this_year - 110..=this_year).contains(&y) => Some(y),
            _ => {
                problems.push(Problem::new(
                    n,
                    "birth_year",
                    "out_of_range",
                    format!("must be a year from {} to {this_year}", this_year - 110),
                ));
                None
            }
        });
    let displacement = required(row, "displacement", &mut problems).and_then(|v| {
        let d = pick(v, DISPLACEMENTS);
        if d.is_none() {
            problems.push(Problem::new(
                n,
                "displacement",
                "bad_choice",
                "must be host, idp, refugee or returnee",
            ));
        }
        d
    });
    let disability = match row.get("disability") {
        None => Some(DisabilityMode::NotAsked),
        Some(v) => {
            let d = pick(v, DISABILITIES);
            if d.is_none() {
                problems.push(Problem::new(
                    n,
                    "disability",
                    "bad_choice",
                    "must be yes, no or not_asked",
                ));
            }
            d
        }
    };
    let registered_on = match row.get("registered_on") {
        None => Some(dates::format(today)),
        Some(v) => match dates::parse(v) {
            None => {
                problems.push(Problem::new(
                    n,
                    "registered_on",
                    "bad_date",
                    "must be a date like 2026-03-31",
                ));
                None
            }
            Some(d) => match dates::implausible(d) {
                Some(why) => {
                    problems.push(Problem::new(n, "registered_on", "bad_date", why));
                    None
                }
                None => Some(dates::format(d)),
            },
        },
    };
    let given_name = row.get("given_name").map(str::to_string);
    if given_name.as_ref().is_some_and(|g| g.chars().count() > 60) {
        problems.push(Problem::new(
            n,
            "given_name",
            "too_long",
            "at most 60 characters",
        ));
    }
    let (
        Some(site_code),
        Some(sex),
        Some(birth_year),
        Some(displacement),
        Some(disability),
        Some(registered_on),
    ) = (
        site_code,
        sex,
        birth_year,
        displacement,
        disability,
        registered_on,
    )
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let key = match row.get("id") {
        Some(id) => programme_key(id),
        // Without the programme's id: the person as the tuple describes her.
        None => format!(
            "tuple:{}|{}|{}|{}",
            site_code,
            given_name.as_deref().unwrap_or("").to_lowercase(),
            sex.as_str(),
            birth_year
        ),
    };
    Ok(ParticipantRow {
        number: n,
        key,
        site_code,
        given_name,
        sex,
        birth_year,
        disability,
        displacement,
        registered_on,
    })
}

/// A site row, checked as the site form checks one.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRow {
    pub number: usize,
    pub partner: String,
    pub area_pcode: String,
    pub code: String,
    pub name: String,
    pub kind: SiteKind,
}

pub fn site(row: &Row) -> Result<SiteRow, Vec<Problem>> {
    let n = row.number;
    let mut problems = Vec::new();
    let partner = required(row, "partner", &mut problems).map(str::to_string);
    let area_pcode = required(row, "area_pcode", &mut problems).map(|s| s.to_uppercase());
    let mut check = Checker::new();
    let code = required(row, "site_code", &mut problems).map(|c| check.code("site_code", c, 32));
    let name =
        required(row, "site_name", &mut problems).map(|c| check.text("site_name", c, 1, 120));
    for (field, reason) in check.into_errors() {
        problems.push(Problem::new(n, &field, "bad_value", reason.sentence()));
    }
    let kind = required(row, "kind", &mut problems).and_then(|k| {
        let value = serde_json::Value::String(k.trim().to_lowercase().replace([' ', '-'], "_"));
        let kind = serde_json::from_value::<SiteKind>(value).ok();
        if kind.is_none() {
            problems.push(Problem::new(
                n,
                "kind",
                "bad_choice",
                "must be child_friendly_space, community_centre, womens_centre, camp, school, sports_ground or other",
            ));
        }
        kind
    });
    match (partner, area_pcode, code, name, kind) {
        (Some(partner), Some(area_pcode), Some(code), Some(name), Some(kind))
            if problems.is_empty() =>
        {
            Ok(SiteRow {
                number: n,
                partner,
                area_pcode,
                code,
                name,
                kind,
            })
        }
        _ => Err(problems),
    }
}

/// A user row, read (its rules are the account form's, `users::model`).
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub number: usize,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub language: Option<UserLanguage>,
    /// Site codes (separated by spaces, commas or semicolons); `*` for every site.
    pub site_codes: Vec<String>,
    pub all_sites: bool,
}

pub fn user(row: &Row) -> Result<UserRow, Vec<Problem>> {
    let n = row.number;
    let mut problems = Vec::new();
    let login = required(row, "login", &mut problems).map(str::to_lowercase);
    let display_name = required(row, "display_name", &mut problems).map(str::to_string);
    let role = required(row, "role", &mut problems).and_then(|r| {
        let role = Role::parse(&r.trim().to_lowercase());
        if role.is_none() {
            problems.push(Problem::new(
                n,
                "role",
                "bad_choice",
                "must be admin, coordinator, trainer or mobiliser",
            ));
        }
        role
    });
    let language = match row.get("language") {
        None => None,
        Some(l) => {
            let language = UserLanguage::parse(&l.trim().to_lowercase());
            if language.is_none() {
                problems.push(Problem::new(
                    n,
                    "language",
                    "bad_choice",
                    "must be en, ar, ckb or kmr",
                ));
            }
            language
        }
    };
    let mut site_codes: Vec<String> = row
        .get("site_codes")
        .unwrap_or("")
        .split([' ', ',', ';'])
        .filter(|c| !c.is_empty())
        .map(str::to_uppercase)
        .collect();
    let all_sites = site_codes.iter().any(|c| c == "*");
    site_codes.retain(|c| c != "*");
    match (login, display_name, role) {
        (Some(login), Some(display_name), Some(role)) if problems.is_empty() => Ok(UserRow {
            number: n,
            login,
            display_name,
            role,
            language,
            site_codes,
            all_sites,
        }),
        _ => Err(problems),
    }
}

/// A roster row, checked: which group, and who joins it.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub number: usize,
    pub group_name: String,
    pub site_code: String,
    pub activity_type: String,
    pub member: Option<MemberRef>,
    pub joined_on: String,
}

impl RosterRow {
    /// What a re-import recognises the group by (before hashing).
    pub fn group_key(&self) -> String {
        format!(
            "group:{}|{}",
            self.site_code,
            self.group_name.to_lowercase()
        )
    }
}

/// How a roster row names its member.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberRef {
    /// The programme's own id, as imported with the participants.
    ImportId(String),
    /// A participant code.
    Code(String),
}

pub fn roster(row: &Row, today: time::Date) -> Result<RosterRow, Vec<Problem>> {
    let n = row.number;
    let mut problems = Vec::new();
    let group_name = required(row, "group_name", &mut problems).map(str::to_string);
    let site_code = required(row, "site_code", &mut problems).map(|s| s.to_uppercase());
    let activity_type = required(row, "activity_type", &mut problems).map(|s| s.to_uppercase());
    let member = match (row.get("member_id"), row.get("member_code")) {
        (Some(id), _) => Some(MemberRef::ImportId(id.to_string())),
        (None, Some(code)) => {
            match crate::participants::code::normalise(code)
                .filter(|c| crate::participants::code::is_valid(c))
            {
                Some(c) => Some(MemberRef::Code(c)),
                None => {
                    problems.push(Problem::new(
                        n,
                        "member_code",
                        "bad_code",
                        "not a participant code, or its check character does not match",
                    ));
                    None
                }
            }
        }
        (None, None) => None,
    };
    let joined_on = match row.get("joined_on") {
        None => dates::format(today),
        Some(v) => match dates::parse(v) {
            Some(d) => dates::format(d),
            None => {
                problems.push(Problem::new(
                    n,
                    "joined_on",
                    "bad_date",
                    "must be a date like 2026-03-31",
                ));
                String::new()
            }
        },
    };
    match (group_name, site_code, activity_type) {
        (Some(group_name), Some(site_code), Some(activity_type)) if problems.is_empty() => {
            Ok(RosterRow {
                number: n,
                group_name,
                site_code,
                activity_type,
                member,
                joined_on,
            })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::read_csv as read;
    use super::*;
    use time::macros::date;

    const TODAY: time::Date = date!(2026 - 03 - 10);

    #[test]
    fn headers_are_read_in_any_of_the_three_languages_and_a_bom_is_ignored() {
        let file =
            "\u{feff}رمز الموقع,ڕەگەز,Birth Year,displacement,notes\nk1,مێ,2014,نازح,ignored\n";
        let table = read(Kind::Participants, file.as_bytes());
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        let row = participant(&table.rows[0], 2026, TODAY).unwrap();
        assert_eq!(
            (row.site_code.as_str(), row.sex, row.displacement),
            ("K1", Sex::Female, Displacement::Idp)
        );
        assert!(!table.rows[0].cells.values().any(|v| v == "ignored"));
    }

    #[test]
    fn a_missing_required_column_makes_the_file_unusable() {
        let table = read(Kind::Participants, b"site_code,sex\nK1,female\n");
        assert!(table.unusable);
        let missing: Vec<&str> = table.problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(missing, ["birth_year", "displacement"]);
        assert!(table.problems.iter().all(|p| p.row == 1));
    }

    #[test]
    fn each_bad_cell_is_reported_by_row_and_column() {
        let file = "site_code,sex,birth_year,displacement\nK1,x,1800,idp\nK1,male,,idp\nK1,male,2000,id\0p\n";
        let table = read(Kind::Participants, file.as_bytes());
        assert_eq!(table.problems.len(), 1, "the NUL");
        assert_eq!((table.count, table.rows.len()), (3, 2));
        assert_eq!(
            (table.problems[0].row, table.problems[0].column.as_str()),
            (4, "displacement")
        );
        let bad = participant(&table.rows[0], 2026, TODAY).unwrap_err();
        let at: Vec<(usize, &str)> = bad.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(at, [(2, "sex"), (2, "birth_year")]);
        let bad = participant(&table.rows[1], 2026, TODAY).unwrap_err();
        assert_eq!(bad[0].code, "missing_value");
    }

    #[test]
    fn a_participant_is_known_by_the_programmes_id_or_else_by_the_tuple() {
        let file = "id,site_code,given_name,sex,birth_year,displacement\n A-1 ,k1,Huda,f,2014,host\n,k1, Huda ,f,2014,host\n";
        let table = read(Kind::Participants, file.as_bytes());
        let a = participant(&table.rows[0], 2026, TODAY).unwrap();
        let b = participant(&table.rows[1], 2026, TODAY).unwrap();
        assert_eq!(a.key, "id:a-1");
        assert_eq!(b.key, "tuple:K1|huda|female|2014");
        assert_eq!(key_hash(&b.key).len(), 64);
        assert_ne!(key_hash(&a.key), key_hash(&b.key));
    }

    #[test]
    fn semicolon_files_are_read_too() {
        let table = read(
            Kind::Participants,
            b"site_code;sex;birth_year;displacement\nK1;male;2010;returnee\n",
        );
        assert!(participant(&table.rows[0], 2026, TODAY).is_ok());
    }

    #[test]
    fn a_template_reads_back_without_problems_in_every_language() {
        for language in [Language::En, Language::Ar, Language::Ckb, Language::Kmr] {
            for kind in [Kind::Sites, Kind::Users, Kind::Participants, Kind::Groups] {
                let t = template(kind, language);
                let table = read(kind, t.as_bytes());
                assert!(table.problems.is_empty(), "{kind:?} {language:?}");
                assert_eq!(table.rows.len(), 1);
            }
        }
        let table = read(
            Kind::Participants,
            template(Kind::Participants, Language::En).as_bytes(),
        );
        assert!(participant(&table.rows[0], 2026, TODAY).is_ok());
    }

    #[test]
    fn a_roster_row_names_its_member_by_import_id_or_by_a_checked_code() {
        let file = "group_name,site_code,activity_type,member_id,member_code\nG,k1,pss,A-1,\nG,k1,pss,,K7M-0000\n";
        let table = read(Kind::Groups, file.as_bytes());
        let a = roster(&table.rows[0], TODAY).unwrap();
        assert_eq!(a.member, Some(MemberRef::ImportId("A-1".into())));
        assert_eq!(a.group_key(), "group:K1|g");
        let b = roster(&table.rows[1], TODAY).unwrap_err();
        assert_eq!(b[0].column, "member_code");
    }
}

//! What a user is, as the API shows it, and the rules for changing one.

use serde::{Deserialize, Serialize};

use super::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::access::Role;
use crate::error::ApiError;
use crate::validate::Checker;

/// The languages of the app. Arabic, Sorani and Kurmanji are written right
/// to left. Kurmanji (`kmr`, ISO 639-3) is Badini as written in Duhok, in
/// the Arabic-based Kurdish alphabet (see docs/design.md, "Languages").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ar,
    Ckb,
    Kmr,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ar => "ar",
            Language::Ckb => "ckb",
            Language::Kmr => "kmr",
        }
    }
    /// The BCP 47 tag of text in this language: Kurmanji's default script is
    /// Latin, so its tag names the Arabic script the app writes it in.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Kmr => "kmr-Arab",
            other => other.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "en" => Some(Language::En),
            "ar" => Some(Language::Ar),
            "ckb" => Some(Language::Ckb),
            "kmr" => Some(Language::Kmr),
            _ => None,
        }
    }
}

/// A site as a user's own list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct SiteSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// The signed-in user.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub language: Language,
    /// Sees every site (admins and programme-wide coordinators).
    pub all_sites: bool,
    /// The sites this user works at (every active site when `all_sites`).
    pub sites: Vec<SiteSummary>,
}

/// A user as the management screens show it. Never the password hash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub language: Language,
    pub active: bool,
    pub all_sites: bool,
    pub site_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub language: Option<Language>,
    pub password: String,
    #[serde(default)]
    pub site_ids: Vec<i64>,
    #[serde(default)]
    pub all_sites: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub language: Option<Language>,
    pub active: Option<bool>,
    pub site_ids: Option<Vec<i64>>,
    pub all_sites: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// What users may change about themselves.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub language: Language,
}

/// The fields an admin may change, already checked.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub language: Option<Language>,
    pub active: Option<bool>,
    pub all_sites: Option<bool>,
}

/// A new account, checked and ready to store.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub language: Language,
    pub all_sites: bool,
    pub site_ids: Vec<i64>,
}

/// Most sites one user can be assigned to one by one.
pub const MAX_SITES_PER_USER: usize = 500;

impl CreateUser {
    /// Checks every field; on success returns the account and its password.
    pub fn parse(self) -> Result<(NewUser, String), ApiError> {
        let mut check = Checker::new();
        let login = parse_login(&mut check, &self.login);
        let display_name = check.text("display_name", &self.display_name, 1, 100);
        check_password(&mut check, &self.password);
        check_sites(&mut check, self.role, self.all_sites, &self.site_ids);
        let user = NewUser {
            login,
            display_name,
            role: self.role,
            language: self.language.unwrap_or(Language::En),
            all_sites: self.all_sites,
            site_ids: dedup(self.site_ids),
        };
        check.finish((user, self.password))
    }
}

impl UpdateUser {
    /// Checks the edit of `current`: the changes to store, and the new
    /// sites when they change. A user demoted to a field role loses
    /// programme-wide access.
    pub fn parse(&self, current: &UserView) -> Result<UserChanges, ApiError> {
        let mut check = Checker::new();
        let display_name = self
            .display_name
            .as_deref()
            .map(|n| check.text("display_name", n, 1, 100));
        let role = self.role.unwrap_or(current.role);
        let all_sites = self
            .all_sites
            .unwrap_or(current.all_sites && current.role != Role::Admin);
        check_sites(
            &mut check,
            role,
            all_sites,
            self.site_ids.as_deref().unwrap_or(&[]),
        );
        check.finish(UserChanges {
            display_name,
            role: self.role,
            language: self.language,
            active: self.active,
            all_sites: if role.may_have_all_sites() {
                self.all_sites
            } else {
                Some(false)
            },
        })
    }

    /// Whether this edit of `current` takes away the programme's last
    /// active admin, given how many other active admins there are.
    pub fn removes_last_admin(&self, current: &UserView, other_active_admins: i64) -> bool {
        let stays_admin = self.role.unwrap_or(current.role) == Role::Admin
            && self.active.unwrap_or(current.active);
        current.role == Role::Admin && !stays_admin && other_active_admins == 0
    }
}

/// Login names: 3–64 of a–z, 0–9, `.`, `_`, `-`, stored lower-case.
pub fn parse_login(check: &mut Checker, raw: &str) -> String {
    let login = check.text("login", raw, 3, 64).to_lowercase();
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        check.fail(
            "login",
            "may contain only letters a–z, digits, '.', '_' and '-'",
        );
    }
    login
}

pub fn check_password(check: &mut Checker, password: &str) {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        check.fail(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if n > MAX_PASSWORD_CHARS {
        check.fail(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        );
    }
}

pub fn check_sites(check: &mut Checker, role: Role, all_sites: bool, site_ids: &[i64]) {
    if all_sites && !role.may_have_all_sites() {
        check.fail(
            "all_sites",
            "only admins and coordinators may see every site",
        );
    }
    if site_ids.len() > MAX_SITES_PER_USER {
        check.fail(
            "site_ids",
            format!("at most {MAX_SITES_PER_USER} sites; give programme-wide access instead"),
        );
    }
}

pub fn dedup(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(login: &str, role: Role, all_sites: bool, password: &str) -> CreateUser {
        CreateUser {
            login: login.into(),
            display_name: "Amal".into(),
            role,
            language: None,
            password: password.into(),
            site_ids: vec![2, 1, 2],
            all_sites,
        }
    }

    #[test]
    fn a_good_account_parses_with_lower_case_login_and_unique_sites() {
        let (user, _) = create("Amal.K", Role::Trainer, false, "long enough pw")
            .parse()
            .unwrap();
        assert_eq!(user.login, "amal.k");
        assert_eq!(user.site_ids, vec![1, 2]);
        assert_eq!(user.language, Language::En);
    }

    #[test]
    fn trainers_cannot_see_every_site_and_short_passwords_fail() {
        let err = create("amal", Role::Trainer, true, "short")
            .parse()
            .unwrap_err();
        let ApiError::Invalid { fields, .. } = err else {
            panic!()
        };
        assert!(fields.contains_key("all_sites"));
        assert!(fields.contains_key("password"));
    }

    #[test]
    fn logins_with_spaces_are_refused() {
        assert!(create("amal k", Role::Trainer, false, "long enough pw")
            .parse()
            .is_err());
    }

    fn view(role: Role, active: bool) -> UserView {
        UserView {
            id: 1,
            login: "amal".into(),
            display_name: "Amal".into(),
            role,
            language: Language::En,
            active,
            all_sites: true,
            site_ids: vec![],
        }
    }

    fn edit(role: Option<Role>, active: Option<bool>) -> UpdateUser {
        UpdateUser {
            display_name: None,
            role,
            language: None,
            active,
            site_ids: None,
            all_sites: None,
        }
    }

    #[test]
    fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
        let admin = view(Role::Admin, true);
        assert!(edit(Some(Role::Coordinator), None).removes_last_admin(&admin, 0));
        assert!(edit(None, Some(false)).removes_last_admin(&admin, 0));
        assert!(!edit(None, Some(false)).removes_last_admin(&admin, 1));
        assert!(!edit(Some(Role::Admin), None).removes_last_admin(&admin, 0));
    }

    #[test]
    fn a_coordinator_demoted_to_trainer_loses_every_site() {
        let coordinator = UserView {
            all_sites: false,
            site_ids: vec![3],
            ..view(Role::Coordinator, true)
        };
        let changes = edit(Some(Role::Trainer), None).parse(&coordinator).unwrap();
        assert_eq!(changes.all_sites, Some(false));
    }
}

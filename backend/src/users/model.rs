//! What a user is, as the API shows it, and the rules for changing one.

use serde::{Deserialize, Serialize};

use crate::auth::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::auth::Role;
use crate::validate::Checker;

/// The languages of the app. Arabic and Sorani are written right to left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ar,
    Ckb,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ar => "ar",
            Language::Ckb => "ckb",
        }
    }
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "en" => Some(Language::En),
            "ar" => Some(Language::Ar),
            "ckb" => Some(Language::Ckb),
            _ => None,
        }
    }
}

/// A site as a user's own list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    pub fn parse(self) -> Result<(NewUser, String), crate::error::ApiError> {
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
        let crate::error::ApiError::Invalid { fields, .. } = err else {
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
}

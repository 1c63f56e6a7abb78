//! Directory entries as the API shows them, and the rules for keeping them.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::error::ApiError;
use crate::store::Flag;
use crate::validate::Checker;

/// What a service does, as the referral pathways of the clusters name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    SpecialisedMhpss,
    CaseManagement,
    GbvResponse,
    ChildProtection,
    LegalAid,
    Health,
    Livelihoods,
    Education,
    Shelter,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::SpecialisedMhpss,
        Category::CaseManagement,
        Category::GbvResponse,
        Category::ChildProtection,
        Category::LegalAid,
        Category::Health,
        Category::Livelihoods,
        Category::Education,
        Category::Shelter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::SpecialisedMhpss => "specialised_mhpss",
            Category::CaseManagement => "case_management",
            Category::GbvResponse => "gbv_response",
            Category::ChildProtection => "child_protection",
            Category::LegalAid => "legal_aid",
            Category::Health => "health",
            Category::Livelihoods => "livelihoods",
            Category::Education => "education",
            Category::Shelter => "shelter",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The languages a service can be asked for in: Arabic, Sorani,
/// Kurmanji (Badini), English, Turkmen, Syriac.
pub const LANGUAGES: [&str; 6] = ["ar", "ckb", "kmr", "en", "tr", "syr"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    /// The programme's partner this organisation is; null for an outside one.
    pub partner_id: Option<i64>,
    /// How to reach it (a phone line, an office).
    pub contact: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
}

/// A service as stored, languages still a comma list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub partner_id: Option<i64>,
    pub contact: Option<String>,
    pub category: String,
    pub name: String,
    pub area_id: i64,
    pub languages: String,
    pub accessibility: Option<String>,
    pub how_to_reach: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    #[sqlx(try_from = "Flag")]
    pub organisation_active: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    /// The organisation's partner (null: an outside organisation).
    pub partner_id: Option<i64>,
    /// The organisation's contact.
    pub contact: Option<String>,
    pub category: String,
    pub name: String,
    /// The governorate or district it serves.
    pub area_id: i64,
    pub languages: Vec<String>,
    pub accessibility: Option<String>,
    pub how_to_reach: Option<String>,
    /// Whether it takes referrals: it and its organisation are active.
    pub active: bool,
}

impl From<ServiceRow> for Service {
    fn from(r: ServiceRow) -> Service {
        Service {
            id: r.id,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            partner_id: r.partner_id,
            contact: r.contact,
            category: r.category,
            name: r.name,
            area_id: r.area_id,
            languages: r
                .languages
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            accessibility: r.accessibility,
            how_to_reach: r.how_to_reach,
            active: r.active && r.organisation_active,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: Option<String>,
    pub partner_id: Option<i64>,
    pub contact: Option<String>,
    pub active: Option<bool>,
}

/// An organisation's fields after checking; `None` leaves a field as it is.
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub partner_id: Option<i64>,
    pub contact: Option<String>,
    pub active: Option<bool>,
}

impl OrganisationInput {
    pub fn parse(self, creating: bool) -> Result<OrganisationChanges, ApiError> {
        let mut check = Checker::new();
        if creating && self.name.is_none() {
            check.fail("name", "is required");
        }
        let name = self.name.as_deref().map(|n| check.text("name", n, 2, 120));
        let contact = self
            .contact
            .as_deref()
            .map(|c| check.text("contact", c, 0, 300));
        check.finish(OrganisationChanges {
            name,
            partner_id: self.partner_id,
            contact,
            active: self.active,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub organisation_id: Option<i64>,
    pub category: Option<String>,
    pub name: Option<String>,
    pub area_id: Option<i64>,
    pub languages: Option<Vec<String>>,
    pub accessibility: Option<String>,
    pub how_to_reach: Option<String>,
    pub active: Option<bool>,
}

/// A service's fields after checking; `None` leaves a field as it is.
pub struct ServiceChanges {
    pub organisation_id: Option<i64>,
    pub category: Option<Category>,
    pub name: Option<String>,
    pub area_id: Option<i64>,
    /// Canonical comma list: known codes, in the order of [`LANGUAGES`].
    pub languages: Option<String>,
    pub accessibility: Option<String>,
    pub how_to_reach: Option<String>,
    pub active: Option<bool>,
}

impl ServiceInput {
    pub fn parse(self, creating: bool) -> Result<ServiceChanges, ApiError> {
        let mut check = Checker::new();
        if creating {
            for (field, present) in [
                ("organisation_id", self.organisation_id.is_some()),
                ("category", self.category.is_some()),
                ("name", self.name.is_some()),
                ("area_id", self.area_id.is_some()),
                ("languages", self.languages.is_some()),
            ] {
                if !present {
                    check.fail(field, "is required");
                }
            }
        } else if self.organisation_id.is_some() {
            check.fail(
                "organisation_id",
                "cannot change; referrals to this service depend on it",
            );
        }
        let category = self.category.as_deref().and_then(|c| {
            check.parse(
                "category",
                c,
                Category::parse,
                "must be one of specialised_mhpss, case_management, gbv_response, child_protection, legal_aid, health, livelihoods, education, shelter",
            )
        });
        let name = self.name.as_deref().map(|n| check.text("name", n, 2, 120));
        let languages = self.languages.as_deref().map(|ls| {
            if ls.is_empty() {
                check.fail("languages", "name at least one language");
            }
            if let Some(bad) = ls.iter().find(|l| !LANGUAGES.contains(&l.as_str())) {
                check.fail(
                    "languages",
                    format!("{bad:?} is not one of ar, ckb, kmr, en, tr, syr"),
                );
            }
            canonical_languages(ls)
        });
        let accessibility = self
            .accessibility
            .as_deref()
            .map(|a| check.text("accessibility", a, 0, 300));
        let how_to_reach = self
            .how_to_reach
            .as_deref()
            .map(|h| check.text("how_to_reach", h, 0, 300));
        check.finish(ServiceChanges {
            organisation_id: self.organisation_id,
            category,
            name,
            area_id: self.area_id,
            languages,
            accessibility,
            how_to_reach,
            active: self.active,
        })
    }
}

/// The known codes among `languages`, once each, in the catalogue's order.
pub fn canonical_languages(languages: &[String]) -> String {
    LANGUAGES
        .iter()
        .filter(|l| languages.iter().any(|x| x == *l))
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `role` may keep an organisation of partner `partner_id` (or an
/// outside one, `None`), given whether that partner runs a site of theirs:
/// admins keep every entry, coordinators their own partner's.
pub fn may_keep(role: Role, partner_id: Option<i64>, partner_is_theirs: bool) -> bool {
    match role {
        Role::Admin => true,
        Role::Coordinator => partner_id.is_some() && partner_is_theirs,
        Role::Trainer | Role::Mobiliser => false,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ServiceQuery {
    /// Only this category.
    pub category: Option<String>,
    /// Only services of this area (a governorate includes its districts).
    pub area_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Category::parse("counselling"), None);
    }

    #[test]
    fn languages_are_known_once_each_in_order() {
        let input: Vec<String> = ["en", "ar", "en", "ckb"].map(String::from).to_vec();
        assert_eq!(canonical_languages(&input), "ar,ckb,en");
        let bad = ServiceInput {
            organisation_id: Some(1),
            category: Some("health".into()),
            name: Some("Clinic".into()),
            area_id: Some(15),
            languages: Some(vec!["fr".into()]),
            accessibility: None,
            how_to_reach: None,
            active: None,
        };
        assert!(bad.parse(true).is_err());
    }

    #[test]
    fn coordinators_keep_only_their_own_partners_entries() {
        assert!(may_keep(Role::Admin, None, false));
        assert!(may_keep(Role::Coordinator, Some(2), true));
        assert!(!may_keep(Role::Coordinator, Some(2), false));
        assert!(!may_keep(Role::Coordinator, None, true));
        assert!(!may_keep(Role::Trainer, Some(2), true));
    }
}

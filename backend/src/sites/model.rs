//! Partners, areas and sites as the API shows them, and their input rules.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::store::Flag;
use crate::validate::Checker;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// A governorate (level 1) or district (level 2).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Area {
    pub id: i64,
    pub level: i64,
    pub parent_id: Option<i64>,
    /// OCHA COD-AB P-code, e.g. `IQG15` (Ninawa) or a district's `IQD…`.
    pub pcode: String,
    /// ISO 3166-2, where one exists (governorates).
    pub iso_code: Option<String>,
    pub name_en: String,
    pub name_ar: String,
    pub name_ckb: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    pub level: Option<i64>,
    pub parent_id: Option<i64>,
    pub pcode: Option<String>,
    pub iso_code: Option<String>,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub name_ckb: Option<String>,
}

/// What kind of place a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    ChildFriendlySpace,
    CommunityCentre,
    WomensCentre,
    Camp,
    School,
    SportsGround,
    Other,
}

impl SiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::ChildFriendlySpace => "child_friendly_space",
            SiteKind::CommunityCentre => "community_centre",
            SiteKind::WomensCentre => "womens_centre",
            SiteKind::Camp => "camp",
            SiteKind::School => "school",
            SiteKind::SportsGround => "sports_ground",
            SiteKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Site {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub partner_id: i64,
    pub partner_name: String,
    pub area_id: i64,
    pub area_name_en: String,
    /// The area's name in Arabic and Sorani: phones name places in their reader's language.
    pub area_name_ar: String,
    pub area_name_ckb: String,
    /// P-code of the district, when the site's area is a district.
    pub district_pcode: Option<String>,
    pub governorate_pcode: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
}

/// Body of `POST /api/sites` (all of `code, name, kind, partner_id, area_id`
/// required) and `PATCH /api/sites/{id}` (any subset).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<SiteKind>,
    pub partner_id: Option<i64>,
    pub area_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub active: Option<bool>,
}

/// A site's fields after checking; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct SiteChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<SiteKind>,
    pub partner_id: Option<i64>,
    pub area_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub active: Option<bool>,
}

/// Iraq and the Kurdistan Region lie well inside these bounds; a point
/// outside them is a typing mistake (swapped latitude and longitude, say).
const LATITUDE: (f64, f64) = (28.0, 38.5);
const LONGITUDE: (f64, f64) = (38.0, 49.5);

impl SiteInput {
    /// Checks the fields present; with `creating`, the required ones must be.
    pub fn parse(self, creating: bool) -> Result<SiteChanges, ApiError> {
        let mut check = Checker::new();
        if creating {
            for (field, present) in [
                ("code", self.code.is_some()),
                ("name", self.name.is_some()),
                ("kind", self.kind.is_some()),
                ("partner_id", self.partner_id.is_some()),
                ("area_id", self.area_id.is_some()),
            ] {
                if !present {
                    check.fail(field, "is required");
                }
            }
        }
        let code = self.code.as_deref().map(|c| check.code("code", c, 32));
        let name = self.name.as_deref().map(|n| check.text("name", n, 1, 120));
        let latitude = check.range_f64("latitude", self.latitude, LATITUDE.0, LATITUDE.1);
        let longitude = check.range_f64("longitude", self.longitude, LONGITUDE.0, LONGITUDE.1);
        if latitude.is_some() != longitude.is_some() && creating {
            check.fail("latitude", "give both latitude and longitude, or neither");
        }
        check.finish(SiteChanges {
            code,
            name,
            kind: self.kind,
            partner_id: self.partner_id,
            area_id: self.area_id,
            latitude,
            longitude,
            active: self.active,
        })
    }
}

impl PartnerInput {
    pub fn parse(self, creating: bool) -> Result<(Option<String>, Option<bool>), ApiError> {
        let mut check = Checker::new();
        if creating && self.name.is_none() {
            check.fail("name", "is required");
        }
        let name = self.name.as_deref().map(|n| check.text("name", n, 2, 120));
        check.finish((name, self.active))
    }
}

/// An area's fields after checking.
#[derive(Debug, Default, Clone)]
pub struct AreaChanges {
    pub level: Option<i64>,
    pub parent_id: Option<i64>,
    pub pcode: Option<String>,
    pub iso_code: Option<String>,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub name_ckb: Option<String>,
}

impl AreaInput {
    pub fn parse(self, creating: bool) -> Result<AreaChanges, ApiError> {
        let mut check = Checker::new();
        if creating {
            for (field, present) in [
                ("level", self.level.is_some()),
                ("pcode", self.pcode.is_some()),
                ("name_en", self.name_en.is_some()),
                ("name_ar", self.name_ar.is_some()),
                ("name_ckb", self.name_ckb.is_some()),
            ] {
                if !present {
                    check.fail(field, "is required");
                }
            }
            match (self.level, self.parent_id) {
                (Some(2), None) => check.fail("parent_id", "a district needs its governorate"),
                (Some(1), Some(_)) => check.fail("parent_id", "a governorate has no parent"),
                (Some(1 | 2), _) | (None, _) => {}
                (Some(_), _) => check.fail("level", "must be 1 (governorate) or 2 (district)"),
            }
        }
        let pcode = self.pcode.as_deref().map(|p| check.code("pcode", p, 20));
        let iso_code = self
            .iso_code
            .as_deref()
            .map(|p| check.code("iso_code", p, 10));
        let name_en = self
            .name_en
            .as_deref()
            .map(|n| check.text("name_en", n, 1, 120));
        let name_ar = self
            .name_ar
            .as_deref()
            .map(|n| check.text("name_ar", n, 1, 120));
        let name_ckb = self
            .name_ckb
            .as_deref()
            .map(|n| check.text("name_ckb", n, 1, 120));
        check.finish(AreaChanges {
            level: self.level,
            parent_id: self.parent_id,
            pcode,
            iso_code,
            name_en,
            name_ar,
            name_ckb,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteInput {
        SiteInput {
            code: Some("mos-wc-01".into()),
            name: Some("West Mosul women's centre".into()),
            kind: Some(SiteKind::WomensCentre),
            partner_id: Some(1),
            area_id: Some(15),
            latitude: Some(36.33),
            longitude: Some(43.1),
            active: None,
        }
    }

    #[test]
    fn a_complete_site_parses_with_an_upper_case_code() {
        assert_eq!(
            site().parse(true).unwrap().code.as_deref(),
            Some("MOS-WC-01")
        );
    }

    #[test]
    fn creating_needs_every_required_field() {
        let err = SiteInput {
            partner_id: None,
            ..site()
        }
        .parse(true)
        .unwrap_err();
        let ApiError::Invalid { fields, .. } = err else {
            panic!()
        };
        assert_eq!(fields["partner_id"], "is required");
        assert!(SiteInput {
            partner_id: None,
            ..site()
        }
        .parse(false)
        .is_ok());
    }

    #[test]
    fn swapped_coordinates_are_caught() {
        assert!(SiteInput {
            latitude: Some(43.1),
            longitude: Some(36.33),
            ..site()
        }
        .parse(true)
        .is_err());
    }

    #[test]
    fn districts_need_a_parent() {
        let input = AreaInput {
            level: Some(2),
            parent_id: None,
            pcode: Some("IQD0101".into()),
            iso_code: None,
            name_en: Some("Mosul".into()),
            name_ar: Some("الموصل".into()),
            name_ckb: Some("مووسڵ".into()),
        };
        assert!(input.parse(true).is_err());
    }
}

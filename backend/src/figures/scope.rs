//! Which sites a figures request covers: the place asked for (programme,
//! governorate, district, partner, site) always intersected with the
//! user's own scope, so a coordinator limited to two sites never sees a
//! third through any figure or export.

use serde::Serialize;

use crate::auth::{CurrentUser, SiteScope};
use crate::error::ApiError;
use crate::store::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Programme,
    Governorate(i64),
    District(i64),
    Partner(i64),
    Site(i64),
}

impl Place {
    /// Reads `programme`, `governorate:ID`, `district:ID`, `partner:ID` or `site:ID`.
    pub fn parse(text: &str) -> Option<Place> {
        if text == "programme" {
            return Some(Place::Programme);
        }
        let (kind, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        Some(match kind {
            "governorate" => Place::Governorate(id),
            "district" => Place::District(id),
            "partner" => Place::Partner(id),
            "site" => Place::Site(id),
            _ => return None,
        })
    }

    pub fn kind(self) -> &'static str {
        match self {
            Place::Programme => "programme",
            Place::Governorate(_) => "governorate",
            Place::District(_) => "district",
            Place::Partner(_) => "partner",
            Place::Site(_) => "site",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
    /// How many sites the figures cover.
    pub sites: usize,
}

/// The sites of `place` the user may see (`None`: every site, for users
/// with all sites asking for the programme), and how to name the place.
pub async fn resolve(
    db: &Db,
    user: &CurrentUser,
    place: Place,
) -> Result<(ScopeView, Option<Vec<i64>>), ApiError> {
    let (condition, id, name): (&str, Option<i64>, Option<String>) = match place {
        Place::Programme => ("1 = 1", None, Some("Whole programme".into())),
        Place::Governorate(id) => (
            "(s.area_id = $3 OR s.area_id IN (SELECT id FROM areas WHERE parent_id = $3))",
            Some(id),
            area_name(db, id, 1).await?,
        ),
        Place::District(id) => ("s.area_id = $3", Some(id), area_name(db, id, 2).await?),
        Place::Partner(id) => (
            "s.partner_id = $3",
            Some(id),
            sqlx::query_scalar("SELECT name FROM partners WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?,
        ),
        Place::Site(id) => (
            "s.id = $3",
            Some(id),
            sqlx::query_scalar("SELECT name FROM sites WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?,
        ),
    };
    let name = name.ok_or_else(|| ApiError::not_found(place.kind()))?;
    let sql = format!(
        "SELECT s.id FROM sites s WHERE {} AND {condition} ORDER BY s.id",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = user.scope.binds();
    let sites: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(all)
        .bind(uid)
        .bind(id.unwrap_or(0))
        .fetch_all(db.pool())
        .await?;
    if matches!(place, Place::Site(_)) && sites.is_empty() {
        // Another scope's site answers like one that does not exist.
        return Err(ApiError::not_found("site"));
    }
    let view = ScopeView {
        kind: place.kind().into(),
        id,
        name,
        sites: sites.len(),
    };
    let every_site = place == Place::Programme && user.scope.all_sites;
    Ok((view, if every_site { None } else { Some(sites) }))
}

async fn area_name(db: &Db, id: i64, level: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name_en FROM areas WHERE id = $1 AND level = $2")
        .bind(id)
        .bind(level)
        .fetch_optional(db.pool())
        .await
}

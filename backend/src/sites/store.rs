//! The SQL behind partners, areas and sites. Reads of sites take the
//! caller's [`SiteScope`]; every write that changes what phones show of a
//! site says so in the change feed ([`touch_sites`]).

use sqlx::AnyConnection;

use super::model::{Area, AreaChanges, Partner, Site, SiteChanges, SiteKind};
use crate::access::SiteScope;
use crate::changes::{self, Entity};
use crate::error::{ApiError, ErrorCode, ResultExt};
use crate::store::{now_millis, placeholders, Db};

/// The partners `scope` may see: every partner for those with every site,
/// else the partners running one of the scope's sites.
pub async fn list_partners(db: &Db, scope: &SiteScope) -> Result<Vec<Partner>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id, p.name, p.active FROM partners p
         WHERE $1 = 1 OR p.id IN (SELECT s.partner_id FROM sites s WHERE {})
         ORDER BY p.name",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await
}

pub async fn get_partner(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Partner>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, active FROM partners WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_partner(conn: &mut AnyConnection, name: &str) -> Result<i64, ApiError> {
    sqlx::query_scalar(
        "INSERT INTO partners (name, active, created_at) VALUES ($1, 1, $2) RETURNING id",
    )
    .bind(name)
    .bind(now_millis())
    .fetch_one(conn)
    .await
    .on_unique_violation(ErrorCode::PartnerExists, || {
        format!("a partner named {name} exists already")
    })
}

/// Renames or (de)activates a partner; its sites' phones hear of it.
pub async fn update_partner(
    conn: &mut AnyConnection,
    id: i64,
    name: Option<&str>,
    active: Option<bool>,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE partners SET name = COALESCE($2, name), active = COALESCE($3, active) WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(active.map(|a| a as i64))
        .execute(&mut *conn)
        .await
        .on_unique_violation(ErrorCode::PartnerExists, || {
            "a partner with that name exists already".into()
        })?;
    touch_sites(conn, Touched::OfPartner(id)).await?;
    Ok(())
}

const AREA_COLUMNS: &str = "id, level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb";

pub async fn list_areas(db: &Db) -> Result<Vec<Area>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {AREA_COLUMNS} FROM areas ORDER BY level, pcode"
    ))
    .fetch_all(db.pool())
    .await
}

pub async fn get_area(conn: &mut AnyConnection, id: i64) -> Result<Option<Area>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_area(conn: &mut AnyConnection, a: &AreaChanges) -> Result<i64, ApiError> {
    sqlx::query_scalar(
        "INSERT INTO areas (level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(a.level)
    .bind(a.parent_id)
    .bind(a.pcode.as_deref())
    .bind(a.iso_code.as_deref())
    .bind(a.name_en.as_deref())
    .bind(a.name_ar.as_deref())
    .bind(a.name_ckb.as_deref())
    .fetch_one(conn)
    .await
    .on_unique_violation(ErrorCode::PcodeTaken, || {
        "that P-code is already used by another area".into()
    })
}

/// Updates names and codes; the phones of its sites hear of it (sites carry
/// their area's names and codes). Level and parent stay as created: moving
/// an area would silently move every site's figures with it.
pub async fn update_area(
    conn: &mut AnyConnection,
    id: i64,
    a: &AreaChanges,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE areas SET pcode = COALESCE($2, pcode), iso_code = COALESCE($3, iso_code), name_en = COALESCE($4, name_en),
         name_ar = COALESCE($5, name_ar), name_ckb = COALESCE($6, name_ckb) WHERE id = $1",
    )
    .bind(id)
    .bind(a.pcode.as_deref())
    .bind(a.iso_code.as_deref())
    .bind(a.name_en.as_deref())
    .bind(a.name_ar.as_deref())
    .bind(a.name_ckb.as_deref())
    .execute(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::PcodeTaken, || {
        "that P-code is already used by another area".into()
    })?;
    touch_sites(conn, Touched::InArea(id)).await?;
    Ok(())
}

/// A site with its partner's name and its area's codes, as phones and
/// screens show it.
const SITE_SELECT: &str = "SELECT s.id, s.code, s.name, s.kind, s.partner_id, p.name AS partner_name,
        s.area_id, a.name_en AS area_name_en, a.name_ar AS area_name_ar, a.name_ckb AS area_name_ckb,
        CASE WHEN a.level = 2 THEN a.pcode ELSE NULL END AS district_pcode, g.pcode AS governorate_pcode,
        s.latitude, s.longitude, s.active
    FROM sites s
    JOIN partners p ON p.id = s.partner_id
    JOIN areas a ON a.id = s.area_id
    JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)";

/// The sites `scope` may see.
pub async fn list_sites(db: &Db, scope: &SiteScope) -> Result<Vec<Site>, sqlx::Error> {
    let sql = format!(
        "{SITE_SELECT} WHERE {} ORDER BY s.code",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await
}

/// One site, if `scope` may see it.
pub async fn get_site(db: &Db, scope: &SiteScope, id: i64) -> Result<Option<Site>, sqlx::Error> {
    let sql = format!(
        "{SITE_SELECT} WHERE s.id = $1 AND {}",
        SiteScope::sql("s.id", 2)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(id)
        .bind(all)
        .bind(uid)
        .fetch_optional(db.pool())
        .await
}

/// The sites with these ids, whatever the scope (the caller has scoped the ids).
pub async fn sites_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Site>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "{SITE_SELECT} WHERE s.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, Site>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await
}

/// Ids of the sites with these codes, or the codes that do not exist.
pub async fn ids_for_codes(
    db: &Db,
    codes: &[String],
) -> Result<Result<Vec<i64>, Vec<String>>, sqlx::Error> {
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for code in codes {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sites WHERE code = $1")
            .bind(code.trim().to_uppercase())
            .fetch_optional(db.pool())
            .await?;
        match id {
            Some(id) => ids.push(id),
            None => missing.push(code.clone()),
        }
    }
    Ok(if missing.is_empty() {
        Ok(ids)
    } else {
        Err(missing)
    })
}

/// A site's partner and area must exist: a clear 422 rather than a
/// foreign-key error.
pub async fn check_references(
    conn: &mut AnyConnection,
    site: &SiteChanges,
) -> Result<(), ApiError> {
    if let Some(partner_id) = site.partner_id {
        if get_partner(conn, partner_id).await?.is_none() {
            return Err(ApiError::invalid_field("partner_id", "no such partner"));
        }
    }
    if let Some(area_id) = site.area_id {
        if get_area(conn, area_id).await?.is_none() {
            return Err(ApiError::invalid_field("area_id", "no such area"));
        }
    }
    Ok(())
}

pub async fn insert_site(conn: &mut AnyConnection, s: &SiteChanges) -> Result<i64, ApiError> {
    let now = now_millis();
    let id = sqlx::query_scalar(
        "INSERT INTO sites (code, name, kind, partner_id, area_id, latitude, longitude, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
    )
    .bind(s.code.as_deref())
    .bind(s.name.as_deref())
    .bind(s.kind.map(SiteKind::as_str))
    .bind(s.partner_id)
    .bind(s.area_id)
    .bind(s.latitude)
    .bind(s.longitude)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::SiteCodeTaken, || {
        format!("the site code {} is already used", s.code.as_deref().unwrap_or(""))
    })?;
    touch_sites(conn, Touched::Site(id)).await?;
    Ok(id)
}

pub async fn update_site(
    conn: &mut AnyConnection,
    id: i64,
    s: &SiteChanges,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE sites SET code = COALESCE($2, code), name = COALESCE($3, name), kind = COALESCE($4, kind),
         partner_id = COALESCE($5, partner_id), area_id = COALESCE($6, area_id), latitude = COALESCE($7, latitude),
         longitude = COALESCE($8, longitude), active = COALESCE($9, active), updated_at = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(s.code.as_deref())
    .bind(s.name.as_deref())
    .bind(s.kind.map(SiteKind::as_str))
    .bind(s.partner_id)
    .bind(s.area_id)
    .bind(s.latitude)
    .bind(s.longitude)
    .bind(s.active.map(|a| a as i64))
    .bind(now_millis())
    .execute(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::SiteCodeTaken, || "that site code is already used".into())?;
    touch_sites(conn, Touched::Site(id)).await?;
    Ok(())
}

/// Which sites a change reaches: phones show each site with its partner's
/// name and its area's names and codes.
pub enum Touched {
    Site(i64),
    OfPartner(i64),
    /// In the area, or in a district under it.
    InArea(i64),
}

/// Records in the change feed that every site `touched` reaches changed.
pub async fn touch_sites(conn: &mut AnyConnection, touched: Touched) -> Result<(), sqlx::Error> {
    let (condition, value) = match touched {
        Touched::Site(id) => ("id = $1", id),
        Touched::OfPartner(id) => ("partner_id = $1", id),
        Touched::InArea(id) => (
            "area_id IN (SELECT id FROM areas WHERE id = $1 OR parent_id = $1)",
            id,
        ),
    };
    let sites: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM sites WHERE {condition}"))
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
    for id in sites {
        changes::store::touch(&mut *conn, Entity::Site, &id.to_string(), Some(id), None).await?;
    }
    Ok(())
}

//! The SQL behind partners, areas and sites. Reads of sites take the
//! caller's [`SiteScope`].

use sqlx::AnyConnection;

use super::model::{Area, AreaChanges, Partner, Site, SiteChanges, SiteKind};
use crate::auth::SiteScope;
use crate::error::{ApiError, ResultExt};
use crate::store::{flag, now_millis, Db};

pub async fn list_partners(db: &Db) -> Result<Vec<Partner>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, active FROM partners ORDER BY name")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, active)| Partner {
            id,
            name,
            active: flag(active),
        })
        .collect())
}

pub async fn get_partner(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Partner>, sqlx::Error> {
    let row: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, active FROM partners WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id, name, active)| Partner {
        id,
        name,
        active: flag(active),
    }))
}

pub async fn insert_partner(conn: &mut AnyConnection, name: &str) -> Result<i64, ApiError> {
    sqlx::query_scalar(
        "INSERT INTO partners (name, active, created_at) VALUES ($1, 1, $2) RETURNING id",
    )
    .bind(name)
    .bind(now_millis())
    .fetch_one(conn)
    .await
    .on_unique_violation("partner_exists", || {
        format!("a partner named {name} exists already")
    })
}

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
        .execute(conn)
        .await
        .on_unique_violation("partner_exists", || "a partner with that name exists already".into())?;
    Ok(())
}

type AreaRow = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    String,
    String,
    String,
);

fn area(row: AreaRow) -> Area {
    let (id, level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb) = row;
    Area {
        id,
        level,
        parent_id,
        pcode,
        iso_code,
        name_en,
        name_ar,
        name_ckb,
    }
}

const AREA_COLUMNS: &str = "id, level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb";

pub async fn list_areas(db: &Db) -> Result<Vec<Area>, sqlx::Error> {
    let rows: Vec<AreaRow> = sqlx::query_as(&format!(
        "SELECT {AREA_COLUMNS} FROM areas ORDER BY level, pcode"
    ))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(area).collect())
}

pub async fn get_area(conn: &mut AnyConnection, id: i64) -> Result<Option<Area>, sqlx::Error> {
    let row: Option<AreaRow> =
        sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(area))
}

pub async fn insert_area(conn: &mut AnyConnection, a: &AreaChanges) -> Result<i64, ApiError> {
    sqlx::query_scalar("INSERT INTO areas (level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(a.level)
        .bind(a.parent_id)
        .bind(a.pcode.as_deref())
        .bind(a.iso_code.as_deref())
        .bind(a.name_en.as_deref())
        .bind(a.name_ar.as_deref())
        .bind(a.name_ckb.as_deref())
        .fetch_one(conn)
        .await
        .on_unique_violation("pcode_taken", || "that P-code is already used by another area".into())
}

/// Updates names and codes. Level and parent stay as created: moving an
/// area would silently move every site's figures with it.
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
    .execute(conn)
    .await
    .on_unique_violation("pcode_taken", || "that P-code is already used by another area".into())?;
    Ok(())
}

type SiteRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    Option<String>,
    String,
    Option<f64>,
    Option<f64>,
    i64,
);

const SITE_SELECT: &str =
    "SELECT s.id, s.code, s.name, s.kind, s.partner_id, p.name, s.area_id, a.name_en,
        CASE WHEN a.level = 2 THEN a.pcode ELSE NULL END, g.pcode, s.latitude, s.longitude, s.active
    FROM sites s
    JOIN partners p ON p.id = s.partner_id
    JOIN areas a ON a.id = s.area_id
    JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)";

fn site(row: SiteRow) -> Site {
    let (
        id,
        code,
        name,
        kind,
        partner_id,
        partner_name,
        area_id,
        area_name_en,
        district_pcode,
        governorate_pcode,
        latitude,
        longitude,
        active,
    ) = row;
    Site {
        id,
        code,
        name,
        kind,
        partner_id,
        partner_name,
        area_id,
        area_name_en,
        district_pcode,
        governorate_pcode,
        latitude,
        longitude,
        active: flag(active),
    }
}

/// The sites `scope` may see.
pub async fn list_sites(db: &Db, scope: &SiteScope) -> Result<Vec<Site>, sqlx::Error> {
    let sql = format!(
        "{SITE_SELECT} WHERE {} ORDER BY s.code",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    let rows: Vec<SiteRow> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(site).collect())
}

/// One site, if `scope` may see it.
pub async fn get_site(db: &Db, scope: &SiteScope, id: i64) -> Result<Option<Site>, sqlx::Error> {
    let sql = format!(
        "{SITE_SELECT} WHERE s.id = $1 AND {}",
        SiteScope::sql("s.id", 2)
    );
    let (all, uid) = scope.binds();
    let row: Option<SiteRow> = sqlx::query_as(&sql)
        .bind(id)
        .bind(all)
        .bind(uid)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(site))
}

/// The sites with these ids, whatever the scope (the caller has scoped the ids).
pub async fn sites_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Site>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "{SITE_SELECT} WHERE s.id IN ({})",
        crate::store::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, SiteRow>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(conn).await?.into_iter().map(site).collect())
}

pub async fn insert_site(conn: &mut AnyConnection, s: &SiteChanges) -> Result<i64, ApiError> {
    let now = now_millis();
    sqlx::query_scalar(
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
    .fetch_one(conn)
    .await
    .on_unique_violation("site_code_taken", || format!("the site code {} is already used", s.code.as_deref().unwrap_or("")))
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
    .execute(conn)
    .await
    .on_unique_violation("site_code_taken", || "that site code is already used".into())?;
    Ok(())
}

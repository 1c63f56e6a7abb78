//! The SQL of the directory. A change to a service, or to the organisation
//! that offers it, goes into the change feed as a `service`, so phones
//! hear of it at their next pull.

use sqlx::AnyConnection;

use super::model::{Organisation, OrganisationChanges, ServiceChanges, ServiceRow};
use crate::access::SiteScope;
use crate::changes::{self, Entity};
use crate::error::{ApiError, ErrorCode, ResultExt};
use crate::store::{now_millis, placeholders};

const ORGANISATION: &str =
    "SELECT id, name, partner_id, contact, active FROM service_organisations";

const SERVICE: &str =
    "SELECT sv.id, sv.organisation_id, o.name AS organisation_name, o.partner_id, o.contact,
    sv.category, sv.name, sv.area_id, sv.languages, sv.accessibility, sv.how_to_reach, sv.active,
    o.active AS organisation_active
    FROM services sv JOIN service_organisations o ON o.id = sv.organisation_id";

pub async fn organisations(conn: &mut AnyConnection) -> Result<Vec<Organisation>, sqlx::Error> {
    sqlx::query_as(&format!("{ORGANISATION} ORDER BY name"))
        .fetch_all(conn)
        .await
}

pub async fn organisation(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Organisation>, sqlx::Error> {
    sqlx::query_as(&format!("{ORGANISATION} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Whether `partner_id` runs a site in `scope` (programme-wide: any partner).
pub async fn partner_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    partner_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM partners WHERE id = $3 AND ($1 = 1 OR id IN
           (SELECT s.partner_id FROM sites s JOIN user_sites us ON us.site_id = s.id WHERE us.user_id = $2))";
    let (all, uid) = scope.binds();
    let n: i64 = sqlx::query_scalar(sql)
        .bind(all)
        .bind(uid)
        .bind(partner_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn partner_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM partners WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn area_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM areas WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn insert_organisation(
    conn: &mut AnyConnection,
    o: &OrganisationChanges,
) -> Result<i64, ApiError> {
    let now = now_millis();
    sqlx::query_scalar(
        "INSERT INTO service_organisations (name, partner_id, contact, active, created_at, updated_at)
         VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
    )
    .bind(o.name.as_deref())
    .bind(o.partner_id)
    .bind(o.contact.as_deref().filter(|c| !c.is_empty()))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::OrganisationExists, || {
        "an organisation with that name exists already".into()
    })
}

/// Changes an organisation, and tells phones through its services.
pub async fn update_organisation(
    conn: &mut AnyConnection,
    id: i64,
    o: &OrganisationChanges,
) -> Result<(), ApiError> {
    // An empty contact clears it.
    let contact = o.contact.as_deref();
    sqlx::query(
        "UPDATE service_organisations SET name = COALESCE($2, name), partner_id = COALESCE($3, partner_id),
         contact = CASE WHEN $4 = 1 THEN $5 ELSE contact END, active = COALESCE($6, active), updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(o.name.as_deref())
    .bind(o.partner_id)
    .bind(contact.is_some() as i64)
    .bind(contact.filter(|c| !c.is_empty()))
    .bind(o.active.map(|a| a as i64))
    .bind(now_millis())
    .execute(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::OrganisationExists, || {
        "an organisation with that name exists already".into()
    })?;
    let services: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM services WHERE organisation_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    for service in services {
        touch_service(conn, service).await?;
    }
    Ok(())
}

/// Services, optionally of one category and within one area (a
/// governorate includes its districts).
pub async fn services(
    conn: &mut AnyConnection,
    category: Option<&str>,
    area_id: Option<i64>,
) -> Result<Vec<ServiceRow>, sqlx::Error> {
    let sql = format!(
        "{SERVICE} JOIN areas a ON a.id = sv.area_id
         WHERE ($1 = '' OR sv.category = $1) AND ($2 = 0 OR a.id = $2 OR a.parent_id = $2)
         ORDER BY sv.category, o.name, sv.name"
    );
    sqlx::query_as(&sql)
        .bind(category.unwrap_or(""))
        .bind(area_id.unwrap_or(0))
        .fetch_all(conn)
        .await
}

pub async fn service(conn: &mut AnyConnection, id: i64) -> Result<Option<ServiceRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SERVICE} WHERE sv.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_service(
    conn: &mut AnyConnection,
    s: &ServiceChanges,
) -> Result<i64, sqlx::Error> {
    let now = now_millis();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO services (organisation_id, category, name, area_id, languages, accessibility, how_to_reach, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
    )
    .bind(s.organisation_id)
    .bind(s.category.map(|c| c.as_str()))
    .bind(s.name.as_deref())
    .bind(s.area_id)
    .bind(s.languages.as_deref())
    .bind(s.accessibility.as_deref().filter(|a| !a.is_empty()))
    .bind(s.how_to_reach.as_deref().filter(|h| !h.is_empty()))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    touch_service(conn, id).await?;
    Ok(id)
}

pub async fn update_service(
    conn: &mut AnyConnection,
    id: i64,
    s: &ServiceChanges,
) -> Result<(), sqlx::Error> {
    let (acc, reach) = (s.accessibility.as_deref(), s.how_to_reach.as_deref());
    sqlx::query(
        "UPDATE services SET category = COALESCE($2, category), name = COALESCE($3, name), area_id = COALESCE($4, area_id),
         languages = COALESCE($5, languages),
         accessibility = CASE WHEN $6 = 1 THEN $7 ELSE accessibility END,
         how_to_reach = CASE WHEN $8 = 1 THEN $9 ELSE how_to_reach END,
         active = COALESCE($10, active), updated_at = $11 WHERE id = $1",
    )
    .bind(id)
    .bind(s.category.map(|c| c.as_str()))
    .bind(s.name.as_deref())
    .bind(s.area_id)
    .bind(s.languages.as_deref())
    .bind(acc.is_some() as i64)
    .bind(acc.filter(|a| !a.is_empty()))
    .bind(reach.is_some() as i64)
    .bind(reach.filter(|h| !h.is_empty()))
    .bind(s.active.map(|a| a as i64))
    .bind(now_millis())
    .execute(&mut *conn)
    .await?;
    touch_service(conn, id).await
}

/// Puts service `id` in the change feed for every phone; the pull decides
/// per user whether it concerns their areas.
async fn touch_service(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    changes::store::touch(conn, Entity::Service, &id.to_string(), None, None).await?;
    Ok(())
}

/// A service as a puller receives it, and whether it concerns them.
#[derive(Debug, sqlx::FromRow)]
pub struct PulledService {
    #[sqlx(flatten)]
    pub service: ServiceRow,
    /// Its area lies in a governorate of one of the puller's sites.
    #[sqlx(try_from = "crate::store::Flag")]
    pub concerns: bool,
}

/// The services with these ids, each marked with whether it lies in a
/// governorate of one of `scope`'s sites (programme-wide: all).
pub async fn pulled(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    ids: &[i64],
) -> Result<Vec<PulledService>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT sv.id, sv.organisation_id, o.name AS organisation_name, o.partner_id, o.contact,
           sv.category, sv.name, sv.area_id, sv.languages, sv.accessibility, sv.how_to_reach, sv.active,
           o.active AS organisation_active,
           CASE WHEN $1 = 1 OR COALESCE(a.parent_id, a.id) IN
             (SELECT COALESCE(sa.parent_id, sa.id) FROM sites s JOIN areas sa ON sa.id = s.area_id
              JOIN user_sites us ON us.site_id = s.id WHERE us.user_id = $2)
           THEN 1 ELSE 0 END AS concerns
         FROM services sv JOIN service_organisations o ON o.id = sv.organisation_id
         JOIN areas a ON a.id = sv.area_id
         WHERE sv.id IN ({})",
        placeholders(3, ids.len())
    );
    let (all, uid) = scope.binds();
    let mut q = sqlx::query_as::<_, PulledService>(&sql).bind(all).bind(uid);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await
}

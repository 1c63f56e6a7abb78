//! HTTP handlers for partners, areas and sites.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use sqlx::AnyConnection;

use super::model::{Area, AreaInput, Partner, PartnerInput, Site, SiteChanges, SiteInput};
use super::store;
use crate::audit::{self, Entry};
use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::sync::clock;
use crate::AppState;

/// Partners (admins and coordinators).
#[utoipa::path(get, path = "/partners", tag = "sites", responses((status = 200, body = Vec<Partner>), (status = 403, body = ErrorBody)))]
pub async fn list_partners(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Partner>>, ApiError> {
    user.require_staff()?;
    Ok(Json(store::list_partners(&state.db).await?))
}

/// Adds a partner organisation (admins only).
#[utoipa::path(post, path = "/partners", tag = "sites", request_body = PartnerInput, responses((status = 201, body = Partner), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_partner(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<PartnerInput>,
) -> Result<(StatusCode, Json<Partner>), ApiError> {
    let (name, _) = body.parse(true)?;
    let name = name.expect("required when creating");
    let mut tx = state.db.begin().await?;
    let id = store::insert_partner(&mut tx, &name).await?;
    audit::record(
        &mut tx,
        Entry::new("partner.create")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("partner", id)
            .detail(json!({ "name": name })),
    )
    .await?;
    let partner = store::get_partner(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("partner"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

/// Renames or (de)activates a partner (admins only).
#[utoipa::path(patch, path = "/partners/{id}", tag = "sites", params(("id" = i64, Path)), request_body = PartnerInput, responses((status = 200, body = Partner), (status = 404, body = ErrorBody)))]
pub async fn update_partner(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<PartnerInput>,
) -> Result<Json<Partner>, ApiError> {
    let (name, active) = body.parse(false)?;
    let mut tx = state.db.begin().await?;
    store::get_partner(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("partner"))?;
    store::update_partner(&mut tx, id, name.as_deref(), active).await?;
    clock::touch_sites(&mut tx, "partner_id = $1", id).await?;
    audit::record(
        &mut tx,
        Entry::new("partner.update")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("partner", id)
            .detail(json!({ "name": name, "active": active })),
    )
    .await?;
    let partner = store::get_partner(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("partner"))?;
    tx.commit().await?;
    Ok(Json(partner))
}

/// Governorates and districts with their P-codes (any signed-in user).
#[utoipa::path(get, path = "/areas", tag = "sites", responses((status = 200, body = Vec<Area>), (status = 401, body = ErrorBody)))]
pub async fn list_areas(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<Area>>, ApiError> {
    Ok(Json(store::list_areas(&state.db).await?))
}

/// Adds a district under a governorate (admins only).
#[utoipa::path(post, path = "/areas", tag = "sites", request_body = AreaInput, responses((status = 201, body = Area), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_area(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<AreaInput>,
) -> Result<(StatusCode, Json<Area>), ApiError> {
    let area = body.parse(true)?;
    let mut tx = state.db.begin().await?;
    if let Some(parent_id) = area.parent_id {
        let parent = store::get_area(&mut tx, parent_id).await?;
        if parent.is_none_or(|p| p.level != 1) {
            return Err(ApiError::invalid_field(
                "parent_id",
                "must be a governorate",
            ));
        }
    }
    let id = store::insert_area(&mut tx, &area).await?;
    audit::record(
        &mut tx,
        Entry::new("area.create")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("area", id)
            .detail(json!({ "pcode": area.pcode, "level": area.level })),
    )
    .await?;
    let created = store::get_area(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("area"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Corrects an area's codes or names (admins only).
#[utoipa::path(patch, path = "/areas/{id}", tag = "sites", params(("id" = i64, Path)), request_body = AreaInput, responses((status = 200, body = Area), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_area(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<AreaInput>,
) -> Result<Json<Area>, ApiError> {
    if body.level.is_some() || body.parent_id.is_some() {
        return Err(ApiError::invalid_field(
            "level",
            "an area's level and parent cannot change; create a new area instead",
        ));
    }
    let changes = body.parse(false)?;
    let mut tx = state.db.begin().await?;
    store::get_area(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("area"))?;
    store::update_area(&mut tx, id, &changes).await?;
    // Sites carry their area's names and codes: phones must hear of a correction.
    clock::touch_sites(
        &mut tx,
        "area_id IN (SELECT id FROM areas WHERE id = $1 OR parent_id = $1)",
        id,
    )
    .await?;
    audit::record(&mut tx, Entry::new("area.update").actor(admin.id, &admin.login).addr(&admin.client_addr).target("area", id).detail(json!({ "pcode": changes.pcode, "iso_code": changes.iso_code, "name_en": changes.name_en }))).await?;
    let area = store::get_area(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("area"))?;
    tx.commit().await?;
    Ok(Json(area))
}

/// The sites in the caller's scope.
#[utoipa::path(get, path = "/sites", tag = "sites", responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody)))]
pub async fn list_sites(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Site>>, ApiError> {
    Ok(Json(store::list_sites(&state.db, &user.scope).await?))
}

/// One site, if in the caller's scope (else 404: another site's existence is not disclosed).
#[utoipa::path(get, path = "/sites/{id}", tag = "sites", params(("id" = i64, Path)), responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Site>, ApiError> {
    store::get_site(&state.db, &user.scope, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("site"))
}

/// Adds a site (admins only).
#[utoipa::path(post, path = "/sites", tag = "sites", request_body = SiteInput, responses((status = 201, body = Site), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<SiteInput>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    let site = body.parse(true)?;
    let mut tx = state.db.begin().await?;
    check_references(&mut tx, &site).await?;
    let id = store::insert_site(&mut tx, &site).await?;
    clock::touch_sites(&mut tx, "id = $1", id).await?;
    audit::record(
        &mut tx,
        Entry::new("site.create")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("site", id)
            .detail(site_detail(&site)),
    )
    .await?;
    tx.commit().await?;
    let created = store::get_site(&state.db, &admin.scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found("site"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Edits or (de)activates a site (admins only).
#[utoipa::path(patch, path = "/sites/{id}", tag = "sites", params(("id" = i64, Path)), request_body = SiteInput, responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_site(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<SiteInput>,
) -> Result<Json<Site>, ApiError> {
    let changes = body.parse(false)?;
    store::get_site(&state.db, &admin.scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found("site"))?;
    let mut tx = state.db.begin().await?;
    check_references(&mut tx, &changes).await?;
    store::update_site(&mut tx, id, &changes).await?;
    clock::touch_sites(&mut tx, "id = $1", id).await?;
    audit::record(
        &mut tx,
        Entry::new("site.update")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("site", id)
            .detail(site_detail(&changes)),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        store::get_site(&state.db, &admin.scope, id)
            .await?
            .ok_or_else(|| ApiError::not_found("site"))?,
    ))
}

/// A site's partner and area must exist: a clear 422 rather than a foreign-key error.
async fn check_references(conn: &mut AnyConnection, site: &SiteChanges) -> Result<(), ApiError> {
    if let Some(partner_id) = site.partner_id {
        if store::get_partner(conn, partner_id).await?.is_none() {
            return Err(ApiError::invalid_field("partner_id", "no such partner"));
        }
    }
    if let Some(area_id) = site.area_id {
        if store::get_area(conn, area_id).await?.is_none() {
            return Err(ApiError::invalid_field("area_id", "no such area"));
        }
    }
    Ok(())
}

fn site_detail(s: &SiteChanges) -> serde_json::Value {
    json!({ "code": s.code, "name": s.name, "kind": s.kind, "partner_id": s.partner_id, "area_id": s.area_id, "active": s.active })
}

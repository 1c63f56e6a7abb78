//! HTTP handlers for partners, areas and sites.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::model::{Area, AreaInput, Partner, PartnerInput, Site, SiteChanges, SiteInput};
use super::store;
use crate::access::{AdminUser, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// Partners of the caller's scope (admins and coordinators).
#[utoipa::path(get, path = "/partners", tag = "sites", responses((status = 200, body = Vec<Partner>), (status = 403, body = ErrorBody)))]
pub async fn list_partners(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Partner>>, ApiError> {
    user.require_staff()?;
    Ok(Json(
        store::list_partners(&state.db, &user.scope)
            .await
            .context("list partners")?,
    ))
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
    let mut tx = state.db.begin().await.context("begin")?;
    let id = store::insert_partner(&mut tx, &name)
        .await
        .context("insert the partner")?;
    let entry = Entry::by("partner.create", &admin)
        .target("partner", id)
        .detail(json!({ "name": name }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let partner = store::get_partner(&mut tx, id)
        .await
        .context("load the partner")?;
    tx.commit().await.context("commit")?;
    Ok((
        StatusCode::CREATED,
        Json(partner.ok_or_else(|| ApiError::not_found("partner"))?),
    ))
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
    let mut tx = state.db.begin().await.context("begin")?;
    if store::get_partner(&mut tx, id)
        .await
        .context("load the partner")?
        .is_none()
    {
        return Err(ApiError::not_found("partner"));
    }
    store::update_partner(&mut tx, id, name.as_deref(), active)
        .await
        .context("update the partner")?;
    let entry = Entry::by("partner.update", &admin)
        .target("partner", id)
        .detail(json!({ "name": name, "active": active }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let partner = store::get_partner(&mut tx, id)
        .await
        .context("load the partner")?;
    tx.commit().await.context("commit")?;
    Ok(Json(partner.ok_or_else(|| ApiError::not_found("partner"))?))
}

/// Governorates and districts with their P-codes (any signed-in user).
#[utoipa::path(get, path = "/areas", tag = "sites", responses((status = 200, body = Vec<Area>), (status = 401, body = ErrorBody)))]
pub async fn list_areas(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<Area>>, ApiError> {
    Ok(Json(
        store::list_areas(&state.db).await.context("list areas")?,
    ))
}

/// Adds a district under a governorate (admins only).
#[utoipa::path(post, path = "/areas", tag = "sites", request_body = AreaInput, responses((status = 201, body = Area), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_area(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<AreaInput>,
) -> Result<(StatusCode, Json<Area>), ApiError> {
    let area = body.parse(true)?;
    let mut tx = state.db.begin().await.context("begin")?;
    if let Some(parent_id) = area.parent_id {
        let parent = store::get_area(&mut tx, parent_id)
            .await
            .context("load the parent")?;
        if parent.is_none_or(|p| p.level != 1) {
            return Err(ApiError::invalid_field(
                "parent_id",
                "must be a governorate",
            ));
        }
    }
    let id = store::insert_area(&mut tx, &area)
        .await
        .context("insert the area")?;
    let entry = Entry::by("area.create", &admin)
        .target("area", id)
        .detail(json!({ "pcode": area.pcode, "level": area.level }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let created = store::get_area(&mut tx, id)
        .await
        .context("load the area")?;
    tx.commit().await.context("commit")?;
    Ok((
        StatusCode::CREATED,
        Json(created.ok_or_else(|| ApiError::not_found("area"))?),
    ))
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
    let mut tx = state.db.begin().await.context("begin")?;
    if store::get_area(&mut tx, id)
        .await
        .context("load the area")?
        .is_none()
    {
        return Err(ApiError::not_found("area"));
    }
    store::update_area(&mut tx, id, &changes)
        .await
        .context("update the area")?;
    let entry = Entry::by("area.update", &admin)
        .target("area", id)
        .detail(json!({
            "pcode": changes.pcode, "iso_code": changes.iso_code, "name_en": changes.name_en
        }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let area = store::get_area(&mut tx, id)
        .await
        .context("load the area")?;
    tx.commit().await.context("commit")?;
    Ok(Json(area.ok_or_else(|| ApiError::not_found("area"))?))
}

/// The sites in the caller's scope.
#[utoipa::path(get, path = "/sites", tag = "sites", responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody)))]
pub async fn list_sites(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Site>>, ApiError> {
    Ok(Json(
        store::list_sites(&state.db, &user.scope)
            .await
            .context("list sites")?,
    ))
}

/// One site, if in the caller's scope (else 404: another site's existence is not disclosed).
#[utoipa::path(get, path = "/sites/{id}", tag = "sites", params(("id" = i64, Path)), responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Site>, ApiError> {
    Ok(Json(site_in_scope(&state, &user, id).await?))
}

/// Adds a site (admins only).
#[utoipa::path(post, path = "/sites", tag = "sites", request_body = SiteInput, responses((status = 201, body = Site), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<SiteInput>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    let site = body.parse(true)?;
    let mut tx = state.db.begin().await.context("begin")?;
    store::check_references(&mut tx, &site)
        .await
        .context("check references")?;
    let id = store::insert_site(&mut tx, &site)
        .await
        .context("insert the site")?;
    let entry = Entry::by("site.create", &admin)
        .target("site", id)
        .detail(site_detail(&site));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok((
        StatusCode::CREATED,
        Json(site_in_scope(&state, &admin, id).await?),
    ))
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
    site_in_scope(&state, &admin, id).await?;
    let mut tx = state.db.begin().await.context("begin")?;
    store::check_references(&mut tx, &changes)
        .await
        .context("check references")?;
    store::update_site(&mut tx, id, &changes)
        .await
        .context("update the site")?;
    let entry = Entry::by("site.update", &admin)
        .target("site", id)
        .detail(site_detail(&changes));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(site_in_scope(&state, &admin, id).await?))
}

/// The site `id` if `user` may see it, else 404.
async fn site_in_scope(state: &AppState, user: &CurrentUser, id: i64) -> Result<Site, ApiError> {
    store::get_site(&state.db, &user.scope, id)
        .await
        .context("load the site")?
        .ok_or_else(|| ApiError::not_found("site"))
}

fn site_detail(s: &SiteChanges) -> serde_json::Value {
    json!({ "code": s.code, "name": s.name, "kind": s.kind, "partner_id": s.partner_id, "area_id": s.area_id, "active": s.active })
}

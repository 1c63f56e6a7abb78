//! HTTP handlers for the service directory.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use sqlx::AnyConnection;

use super::model::{
    may_keep, Category, Organisation, OrganisationInput, Service, ServiceInput, ServiceQuery,
};
use super::store;
use crate::access::CurrentUser;
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// Every organisation of the directory (any signed-in user).
#[utoipa::path(get, path = "/directory/organisations", tag = "directory", responses((status = 200, body = Vec<Organisation>), (status = 401, body = ErrorBody)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    let mut conn = state.db.pool().acquire().await.context("connect")?;
    Ok(Json(
        store::organisations(&mut conn)
            .await
            .context("list organisations")?,
    ))
}

/// Refuses unless `user` may keep entries of `partner_id` (`None`: an
/// outside organisation, admins only).
async fn require_keeper(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    partner_id: Option<i64>,
) -> Result<(), ApiError> {
    let theirs = match partner_id {
        Some(p) => store::partner_in_scope(conn, &user.scope, p)
            .await
            .context("check the partner")?,
        None => false,
    };
    if may_keep(user.role, partner_id, theirs) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only admins, and coordinators for their own partner, keep the directory",
        ))
    }
}

async fn require_partner(
    conn: &mut AnyConnection,
    partner_id: Option<i64>,
) -> Result<(), ApiError> {
    if let Some(p) = partner_id {
        if !store::partner_exists(conn, p)
            .await
            .context("check the partner")?
        {
            return Err(ApiError::invalid_field("partner_id", "is not a partner"));
        }
    }
    Ok(())
}

/// Adds an organisation (admins; coordinators for their own partner).
#[utoipa::path(post, path = "/directory/organisations", tag = "directory", request_body = OrganisationInput, responses((status = 201, body = Organisation), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<OrganisationInput>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    let o = body.parse(true)?;
    let mut tx = state.db.begin().await.context("begin")?;
    require_keeper(&mut tx, &user, o.partner_id).await?;
    require_partner(&mut tx, o.partner_id).await?;
    let id = store::insert_organisation(&mut tx, &o)
        .await
        .context("insert the organisation")?;
    let entry = Entry::by("directory.organisation.create", &user)
        .target("service_organisation", id)
        .detail(json!({ "name": o.name, "partner_id": o.partner_id }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let created = store::organisation(&mut tx, id)
        .await
        .context("load the organisation")?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    tx.commit().await.context("commit")?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Edits an organisation (admins; coordinators for their own partner).
#[utoipa::path(patch, path = "/directory/organisations/{id}", tag = "directory", params(("id" = i64, Path)), request_body = OrganisationInput, responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<OrganisationInput>,
) -> Result<Json<Organisation>, ApiError> {
    let o = body.parse(false)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let current = store::organisation(&mut tx, id)
        .await
        .context("load the organisation")?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    require_keeper(&mut tx, &user, current.partner_id).await?;
    if o.partner_id.is_some() && o.partner_id != current.partner_id {
        require_keeper(&mut tx, &user, o.partner_id).await?;
        require_partner(&mut tx, o.partner_id).await?;
    }
    store::update_organisation(&mut tx, id, &o)
        .await
        .context("update the organisation")?;
    let entry = Entry::by("directory.organisation.update", &user)
        .target("service_organisation", id)
        .detail(json!({ "name": o.name, "partner_id": o.partner_id, "active": o.active }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let updated = store::organisation(&mut tx, id)
        .await
        .context("load the organisation")?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    tx.commit().await.context("commit")?;
    Ok(Json(updated))
}

/// The services of the directory, by category and area (any signed-in user).
#[utoipa::path(get, path = "/directory/services", tag = "directory", params(ServiceQuery), responses((status = 200, body = Vec<Service>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_services(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(q): Query<ServiceQuery>,
) -> Result<Json<Vec<Service>>, ApiError> {
    if let Some(c) = q.category.as_deref() {
        if Category::parse(c).is_none() {
            return Err(ApiError::invalid_field(
                "category",
                "is not a service category",
            ));
        }
    }
    let mut conn = state.db.pool().acquire().await.context("connect")?;
    let rows = store::services(&mut conn, q.category.as_deref(), q.area_id)
        .await
        .context("list services")?;
    Ok(Json(rows.into_iter().map(Service::from).collect()))
}

/// Adds a service to an organisation (its keepers only).
#[utoipa::path(post, path = "/directory/services", tag = "directory", request_body = ServiceInput, responses((status = 201, body = Service), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_service(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ServiceInput>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    let s = body.parse(true)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let organisation = store::organisation(&mut tx, s.organisation_id.unwrap_or(0))
        .await
        .context("load the organisation")?
        .ok_or_else(|| ApiError::invalid_field("organisation_id", "is not an organisation"))?;
    require_keeper(&mut tx, &user, organisation.partner_id).await?;
    check_area(&mut tx, s.area_id).await?;
    let id = store::insert_service(&mut tx, &s)
        .await
        .context("insert the service")?;
    let entry = Entry::by("directory.service.create", &user)
        .target("service", id)
        .detail(json!({ "organisation_id": organisation.id, "category": s.category.map(|c| c.as_str()), "area_id": s.area_id }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let created = store::service(&mut tx, id)
        .await
        .context("load the service")?
        .ok_or_else(|| ApiError::not_found("service"))?;
    tx.commit().await.context("commit")?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Edits a service (its organisation's keepers only).
#[utoipa::path(patch, path = "/directory/services/{id}", tag = "directory", params(("id" = i64, Path)), request_body = ServiceInput, responses((status = 200, body = Service), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_service(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ServiceInput>,
) -> Result<Json<Service>, ApiError> {
    let s = body.parse(false)?;
    let mut tx = state.db.begin().await.context("begin")?;
    let current = store::service(&mut tx, id)
        .await
        .context("load the service")?
        .ok_or_else(|| ApiError::not_found("service"))?;
    require_keeper(&mut tx, &user, current.partner_id).await?;
    check_area(&mut tx, s.area_id).await?;
    store::update_service(&mut tx, id, &s)
        .await
        .context("update the service")?;
    let entry = Entry::by("directory.service.update", &user)
        .target("service", id)
        .detail(json!({ "category": s.category.map(|c| c.as_str()), "area_id": s.area_id, "active": s.active }));
    audit::record(&mut tx, entry).await.context("audit")?;
    let updated = store::service(&mut tx, id)
        .await
        .context("load the service")?
        .ok_or_else(|| ApiError::not_found("service"))?;
    tx.commit().await.context("commit")?;
    Ok(Json(updated.into()))
}

async fn check_area(conn: &mut AnyConnection, area_id: Option<i64>) -> Result<(), ApiError> {
    if let Some(a) = area_id {
        if !store::area_exists(conn, a)
            .await
            .context("check the area")?
        {
            return Err(ApiError::invalid_field("area_id", "is not an area"));
        }
    }
    Ok(())
}

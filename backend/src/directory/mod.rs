//! The service directory referrals point at: organisations (the
//! programme's partners or outside ones) and the services they offer, by
//! category and area, with languages, accessibility and how to reach them.
//! Everyone reads it (phones pull the services of their areas, so
//! referring works offline); admins keep it, and coordinators keep their
//! own partner's entries (docs/design.md §9).

mod handlers;
pub mod model;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            handlers::list_organisations,
            handlers::create_organisation
        ))
        .routes(routes!(handlers::update_organisation))
        .routes(routes!(handlers::list_services, handlers::create_service))
        .routes(routes!(handlers::update_service))
}

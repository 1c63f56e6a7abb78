//! Places: partners that run sites, the areas (governorates and districts,
//! with their P-codes) sites sit in, and the sites themselves. Admins manage
//! them; everyone reads the sites of their own scope.

mod handlers;
pub mod model;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_partners, handlers::create_partner))
        .routes(routes!(handlers::update_partner))
        .routes(routes!(handlers::list_areas, handlers::create_area))
        .routes(routes!(handlers::update_area))
        .routes(routes!(handlers::list_sites, handlers::create_site))
        .routes(routes!(handlers::get_site, handlers::update_site))
}

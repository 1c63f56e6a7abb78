//! Activity records: group sessions, CFS days and awareness events, one
//! model for the three. Created on phones with a UUID and sent through
//! [`crate::sync`]; read and reviewed by coordinators ([`review`]).

pub mod model;
pub mod review;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(review::list))
        .routes(routes!(review::get))
        .routes(routes!(review::review))
}

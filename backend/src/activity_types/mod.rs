//! Activity types: what kind of thing was done (a PSS group, a GBV
//! awareness event, a CFS day…), with labels in each language. Everyone
//! reads them (phones need them offline); admins manage them.

mod handlers;
pub mod model;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use model::{ActivityKind, ActivityType};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::update))
}
